import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import { commit, typeHash } from "../../src/records";
import { RESOURCE_TYPES, resource, salt } from "./arbitraries";

describe("RecordCommitments", function () {
  async function deployFixture() {
    const harness = await ethers.deployContract("RecordCommitmentsHarness");
    return { harness };
  }

  describe("typeHash", function () {
    context("for every committable resource type", function () {
      it("equals the TypeScript domain separator", async function () {
        const { harness } = await loadFixture(deployFixture);
        for (const type of RESOURCE_TYPES) expect(await harness.typeHash(type)).to.equal(typeHash(type));
      });
    });

    context("for an empty or non-ASCII type", function () {
      it("still hashes the UTF-8 bytes after the prefix, as TypeScript does", async function () {
        const { harness } = await loadFixture(deployFixture);
        expect(await harness.typeHash("")).to.equal(typeHash(""));
        expect(await harness.typeHash("Épisode")).to.equal(typeHash("Épisode"));
      });
    });
  });

  describe("commitment", function () {
    context("from the record", function () {
      it("equals the TypeScript commitment for a fixed Consent", async function () {
        const { harness } = await loadFixture(deployFixture);
        const c = commit({ resourceType: "Consent", status: "active" }, `0x${"11".repeat(32)}`);
        expect(await harness.commitmentOf(c.resourceType, c.salt, toUtf8Bytes(c.canonical))).to.equal(c.commitment);
      });

      it("equals the TypeScript commitment for any resource and salt (fast-check)", async function () {
        const { harness } = await loadFixture(deployFixture);
        await fc.assert(
          fc.asyncProperty(resource, salt, async (r, s) => {
            const c = commit(r, s);
            expect(await harness.commitmentOf(c.resourceType, c.salt, toUtf8Bytes(c.canonical))).to.equal(c.commitment);
          }),
          { numRuns: 150 },
        );
      });
    });

    context("from the three hashes", function () {
      it("equals the TypeScript commitment for any resource and salt (fast-check)", async function () {
        const { harness } = await loadFixture(deployFixture);
        await fc.assert(
          fc.asyncProperty(resource, salt, async (r, s) => {
            const c = commit(r, s);
            const payloadHash = keccak256(toUtf8Bytes(c.canonical));
            expect(await harness.commitmentOfHashes(typeHash(c.resourceType), c.salt, payloadHash)).to.equal(
              c.commitment,
            );
          }),
          { numRuns: 50 },
        );
      });
    });
  });
});
