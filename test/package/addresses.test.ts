import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ethers } from "hardhat";
import { ABIS, consentRegistryAbi } from "../../src/abi";
import { addressesFor } from "../../src/addresses";
import { deploymentOn, FUTURE_IDS, readDeployments } from "../../tooling/address-book";
import { renderAddressModule } from "../../tooling/package/generate";

const A = (n: number) => ethers.getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const FULL = {
  authority: A(1),
  forwarder: A(2),
  consentRegistry: A(3),
  trialRegistry: A(4),
  drugProvenance: A(5),
  claimsManager: A(6),
  vaultAnchor: A(7),
};

/** An Ignition deployment folder as Ignition leaves it: the journal's first line names the chain. */
function ignitionFolder(root: string, id: string, chainId: number, futures: Record<string, string>): void {
  mkdirSync(join(root, id), { recursive: true });
  writeFileSync(join(root, id, "journal.jsonl"), `${JSON.stringify({ chainId, type: "DEPLOYMENT_INITIALIZE" })}\n`);
  writeFileSync(join(root, id, "deployed_addresses.json"), JSON.stringify(futures));
}

describe("the package's address book and ABIs", function () {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), "hl-book-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const futuresOf = (book: typeof FULL) =>
    Object.fromEntries(Object.entries(FUTURE_IDS).map(([name, id]) => [id, book[name as keyof typeof FULL]]));

  describe("addressesFor", function () {
    it("takes a whole deployment from overrides on a chain the package does not know, checksummed", function () {
      const lower = Object.fromEntries(Object.entries(FULL).map(([k, v]) => [k, v.toLowerCase()]));
      const entry = addressesFor(424242n, { ...lower, fromBlock: 7 });
      expect(entry).to.include({ chainId: 424242, fromBlock: 7, consentRegistry: FULL.consentRegistry });
    });

    it("says which contracts are missing and how to pass them", function () {
      expect(() => addressesFor(424242, { authority: A(1) })).to.throw(
        /No Health Ledger deployment is known on chain 424242 \(known: .*\): pass the addresses of forwarder, consentRegistry, trialRegistry, drugProvenance, claimsManager, vaultAnchor as overrides/,
      );
    });

    it("refuses a malformed address or chain id", function () {
      expect(() => addressesFor(424242, { ...FULL, authority: "0x1234" })).to.throw(/authority must be an address/);
      expect(() => addressesFor(0, FULL)).to.throw(/positive integer/);
    });
  });

  describe("the deployments read from Ignition's folders", function () {
    it("keys complete deployments by chain id and leaves partial ones out", function () {
      ignitionFolder(root, "chain-11155111", 11155111, futuresOf(FULL));
      const partial = futuresOf(FULL);
      delete partial[FUTURE_IDS.claimsManager];
      ignitionFolder(root, "half-done", 17000, partial);
      expect(readDeployments(root)).to.deep.equal([
        { chainId: 11155111, deploymentId: "chain-11155111", fromBlock: 0, ...FULL },
      ]);
      expect(deploymentOn(11155111, undefined, root).authority).to.equal(FULL.authority);
      expect(() => deploymentOn(17000, undefined, root)).to.throw(/No Health Ledger deployment on chain 17000/);
    });

    it("asks for a deployment id when a chain has several and none is the default", function () {
      ignitionFolder(root, "blue", 17000, futuresOf(FULL));
      ignitionFolder(root, "green", 17000, futuresOf(FULL));
      expect(() => deploymentOn(17000, undefined, root)).to.throw(
        /Several deployments on chain 17000 .*--deployment-id/,
      );
      expect(deploymentOn(17000, "green", root).deploymentId).to.equal("green");
    });

    it("bakes public chains into the package and leaves local chains out", function () {
      ignitionFolder(root, "chain-11155111", 11155111, futuresOf(FULL));
      ignitionFolder(root, "chain-31337", 31337, futuresOf(FULL));
      const module = renderAddressModule(root);
      expect(module).to.contain('"11155111"');
      expect(module).not.to.contain('"31337"');
    });
  });

  describe("the ABIs", function () {
    it("are the compiled ABIs, as const objects that ethers reads", async function () {
      const { abi } = await import("../../artifacts/contracts/consent/ConsentRegistry.sol/ConsentRegistry.json");
      expect(consentRegistryAbi).to.deep.equal(abi);
      expect(new ethers.Interface(ABIS.ConsentRegistry).getFunction("grantBySig")).to.not.equal(null);
      expect(Object.keys(ABIS)).to.include.members(["HealthLedgerAuthority", "ClaimsManager", "RecordCommitments"]);
    });
  });
});
