import { expect } from "chai";
import fc from "fast-check";
import { PatientIdentity, relationshipLabel, type Relationship } from "../../src/identity";

/** The BIP-39 test mnemonic; its vectors below were computed by an independent Python implementation. */
const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const HOSPITAL = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const INSURER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const VECTORS: { relationship: Relationship; chainId: bigint; key: string; address: string; secret: string }[] = [
  {
    relationship: { kind: "provider", provider: HOSPITAL },
    chainId: 31337n,
    key: "0x2282f4e9e088ea874715503b2c7fe7ae7c3f5959bec3baf370f9929ca8e7d3ac",
    address: "0xd9e2bA7BE388468bCdACeaD3C76998Fd29d7DF62",
    secret: "0x7588f12b0a0551d7482787eef3c72d72498b3143c65da564a460c278623ccd6b",
  },
  {
    relationship: { kind: "policy", insurer: INSURER, index: 0 },
    chainId: 31337n,
    key: "0x00e5d4779fef7171584ba07fc0923b3912d54fef54cec2fc1e0042c7dc41d216",
    address: "0xa2c66D7bD3c2B0c040682BeE62CacF41eD532B79",
    secret: "0xbde3629c29de61d45a5fffce05673092456cc258596cc07352fe26be3b8c5508",
  },
  {
    relationship: { kind: "trial", registry: REGISTRY, trialId: 1n },
    chainId: 31337n,
    key: "0x274bfb95ff1bf833b576c58f4e4862ff2ed6fc757bd59969b5b2754a75ed133a",
    address: "0xc75ABE77041A5dE5927f94465458c0BDb193024E",
    secret: "0x46a93a5581d8144956040717ca0e32bb508b36966c990eef5358ffab8431356b",
  },
  {
    relationship: { kind: "emergency", epoch: 0 },
    chainId: 31337n,
    key: "0x801e9f6c5eaddded39512cd77a6fb6d6e77449708fc49b8e5e375c2d66ccce09",
    address: "0x55858941B6c1fD3A4125f5C7946A0A2C4F0957Ec",
    secret: "0x111952a6c58d4d7de7e3a544d31e45b37d839b00b971b2911d46d5da9ac9cdea",
  },
  {
    relationship: { kind: "provider", provider: HOSPITAL },
    chainId: 1n,
    key: "0x640f5e3c9ac2885e526b5a7776b09de3cbe91da81395616df6f52e0130cd56bd",
    address: "",
    secret: "0x659080685aaa4fc13406787f3db2af19d188771b65ad0db3e134321e0b715b56",
  },
];

describe("relationship accounts (src/identity)", function () {
  describe("PatientIdentity.derive", function () {
    it("matches the published test vectors (docs/privacy.md)", function () {
      for (const v of VECTORS) {
        const keys = PatientIdentity.fromMnemonic(MNEMONIC, v.chainId).derive(v.relationship);
        expect(keys.wallet.privateKey, keys.label).to.equal(v.key);
        expect(keys.secret, keys.label).to.equal(v.secret);
        if (v.address) expect(keys.address, keys.label).to.equal(v.address);
      }
    });

    it("recovers every account from the mnemonic alone (a lost device)", function () {
      const { identity, mnemonic } = PatientIdentity.generate(31337n);
      const again = PatientIdentity.fromMnemonic(` ${mnemonic} `, 31337n);
      for (const r of VECTORS.map((v) => v.relationship)) {
        expect(again.derive(r).address).to.equal(identity.derive(r).address);
      }
    });

    it("gives every relationship, chain and passphrase its own account", function () {
      const relationships = fc.oneof(
        fc
          .nat(20)
          .map((n): Relationship => ({ kind: "provider", provider: `0x${(n + 1).toString(16).padStart(40, "0")}` })),
        fc.nat(20).map((n): Relationship => ({ kind: "policy", insurer: INSURER, index: n })),
        fc.nat(20).map((n): Relationship => ({ kind: "trial", registry: REGISTRY, trialId: BigInt(n + 1) })),
        fc.nat(20).map((n): Relationship => ({ kind: "emergency", epoch: n })),
      );
      const identity = PatientIdentity.fromMnemonic(MNEMONIC, 31337n);
      fc.assert(
        fc.property(relationships, relationships, (a, b) => {
          const same = relationshipLabel(31337n, a) === relationshipLabel(31337n, b);
          expect(identity.derive(a).address === identity.derive(b).address).to.equal(same);
        }),
        { numRuns: 200 },
      );
      const r: Relationship = { kind: "emergency", epoch: 0 };
      const addresses = new Set([
        identity.derive(r).address,
        PatientIdentity.fromMnemonic(MNEMONIC, 1n).derive(r).address,
        PatientIdentity.fromMnemonic(MNEMONIC, 31337n, "passphrase").derive(r).address,
      ]);
      expect(addresses.size).to.equal(3);
    });

    it("names the same counterparty the same way whatever the address's case", function () {
      const identity = PatientIdentity.fromMnemonic(MNEMONIC, 31337n);
      const a = identity.derive({ kind: "provider", provider: HOSPITAL.toLowerCase() });
      const b = identity.derive({ kind: "provider", provider: HOSPITAL });
      expect(a.address).to.equal(b.address);
    });
  });

  describe("bad input", function () {
    it("says what is wrong with a phrase, a seed, an address, an index or a trial id", function () {
      expect(() => PatientIdentity.fromMnemonic("abandon abandon", 1n)).to.throw(/not a valid BIP-39 mnemonic/);
      expect(() => PatientIdentity.fromSeed("0x1234", 1n)).to.throw(/A seed must be 16 to 64 bytes; got 2/);
      expect(() => PatientIdentity.fromSeed("12", 1n)).to.throw(/0x-prefixed hex/);
      const identity = PatientIdentity.fromMnemonic(MNEMONIC, 31337n);
      expect(() => identity.derive({ kind: "provider", provider: "0x12" })).to.throw(/provider must be an address/);
      expect(() => identity.derive({ kind: "policy", insurer: INSURER, index: -1 })).to.throw(/index must be a whole/);
      expect(() => identity.derive({ kind: "emergency", epoch: 1.5 })).to.throw(/epoch must be a whole/);
      expect(() => identity.derive({ kind: "trial", registry: REGISTRY, trialId: 0n })).to.throw(/trialId must be/);
      expect(() => relationshipLabel(0n, { kind: "emergency", epoch: 0 })).to.throw(/chainId must be positive/);
    });
  });
});
