import { expect } from "chai";
import { ethers } from "hardhat";
import { linksFound, observe, type Observation } from "../../tooling/privacy/observer";
import { playMonth, type Design, type World } from "./world";

/** Plays the month under `design` and attacks it with the chain observer; the chain is rolled back afterwards. */
async function attack(design: Design) {
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  try {
    const world = await playMonth(design);
    const { consentRegistry, claimsManager, trialRegistry } = world.system;
    const observation = await observe(ethers.provider, {
      consentRegistry: await consentRegistry.getAddress(),
      claimsManager: await claimsManager.getAddress(),
      trialRegistry: await trialRegistry.getAddress(),
      fromBlock: world.fromBlock,
    });
    return { world, observation, links: linksFound(observation, world.truth) };
  } finally {
    await ethers.provider.send("evm_revert", [snapshot]);
  }
}

/** How many claim lines the observer read right, taking the codes on chain for the public plain codes. */
function servicesReadRight(world: World, observation: Observation): { right: number; total: number } {
  const seen = new Map<string, number>();
  let right = 0;
  for (const reading of observation.serviceReadings) {
    const k = seen.get(reading.claimId) ?? 0;
    seen.set(reading.claimId, k + 1);
    if (world.plainLines.get(reading.claimId)![k].category === reading.code) right++;
  }
  return { right, total: observation.serviceReadings.length };
}

const patientsLinked = (links: ReturnType<typeof linksFound>) => new Set(links.map((l) => l.person)).size;

describe("linkage: the chain observer against a month of use (docs/privacy.md)", function () {
  context("the v1 design (one funded account per patient, unsalted purposes, plain codes)", function () {
    it("links every patient's relationships, brute-forces her trial and reads her diagnoses", async function () {
      const { world, observation, links } = await attack("v1");
      expect(patientsLinked(links)).to.equal(world.patients.length);
      const every = world.patients.reduce((n, p) => n + (p.relationships.length * (p.relationships.length - 1)) / 2, 0);
      expect(links).to.have.length(every);
      const joiners = world.patients.filter((p) => p.relationships.some((r) => r.startsWith("trial:")));
      expect(observation.bruteForced).to.have.length(joiners.length);
      const read = servicesReadRight(world, observation);
      expect(read.right).to.equal(read.total).and.to.be.greaterThan(0);
    });
  });

  context("the naive design (an account per relationship, funded and sent by the patient herself)", function () {
    it("still links every patient, through her funding wallet", async function () {
      const { world, observation, links } = await attack("naive");
      expect(patientsLinked(links)).to.equal(world.patients.length);
      expect(observation.joins.filter((j) => j.heuristic === "shared funder")).to.have.length(world.patients.length);
      expect(observation.bruteForced, "salted purposes").to.deep.equal([]);
    });
  });

  context("the current design (derived accounts, relayed, salted purposes, blinded codes)", function () {
    let result: Awaited<ReturnType<typeof attack>>;
    before(async function () {
      result = await attack("v2");
    });

    it("finds no link between any two relationships of any patient", function () {
      const { world, observation, links } = result;
      expect(links, JSON.stringify(links.slice(0, 3))).to.deep.equal([]);
      // It did look: every relationship account was seen, and none was funded or sent a transaction.
      expect(observation.accounts.size).to.equal(world.truth.size);
      for (const view of observation.accounts.values()) {
        expect(view.funder, view.address).to.equal(undefined);
        expect(view.sent, view.address).to.equal(0);
      }
      // The relayer and the organisations served too many accounts to narrow anyone down.
      expect(observation.joins).to.deep.equal([]);
      expect(observation.bruteForced).to.deep.equal([]);
    });

    it("reads claim codes no better than chance", function () {
      const { world, observation } = result;
      const read = servicesReadRight(world, observation);
      // Each policy permutes the 16 codes with its own key: a right reading is luck (1 in 16 per line).
      expect(read.total).to.equal(world.patients.length * 2);
      expect(read.right).to.be.at.most(Math.ceil(read.total / 8));
    });
  });
});
