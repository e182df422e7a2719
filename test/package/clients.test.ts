import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { createPublicClient, createWalletClient, custom, defineChain, getAddress, type PublicClient } from "viem";
import {
  NO_EXPIRY,
  PURPOSES,
  categorySet,
  commitConsentDocument,
  relayGrant,
  relayRevoke,
  signGrant,
  signRevoke,
  type GrantRequest,
  type RevokeRequest,
  type Signed,
} from "../../src/consent";
import { verify } from "../../src/records";
import {
  readConsentViem,
  relayGrantViem,
  relayRevokeViem,
  viemConsentReader,
  viemTypedDataSigner,
} from "../../src/viem";
import { deployTestSystem } from "../../tooling/system";

/** One client's way of doing the consent round trip: sign as the patient, relay as the relayer, read back. */
interface ClientUnderTest {
  sign(terms: Parameters<typeof signGrant>[2]): Promise<Signed<GrantRequest>>;
  relay(signed: Signed<GrantRequest>): Promise<bigint | undefined>;
  signRevoke(key: { patient: string; grantee: string; purpose: string }): Promise<Signed<RevokeRequest>>;
  relayRevoke(signed: Signed<RevokeRequest>): Promise<bigint | undefined>;
  read(key: {
    patient: string;
    grantee: string;
    purpose: string;
  }): Promise<{ version: number | bigint; revoked: boolean }>;
}

/** The in-process Hardhat network as a viem chain (viem/chains pulls in browser-only types, so it is defined here). */
const hardhat = defineChain({
  id: 31337,
  name: "Hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

async function fixture() {
  const [, hospital, relayer, patient] = await ethers.getSigners();
  const system = await deployTestSystem(hre, { grants: [{ role: "PROVIDER", account: hospital.address }] });
  return { system, hospital, relayer, patient, registryAddress: await system.consentRegistry.getAddress() };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

// The patient signs only (the node's unlocked account, signing EIP-712 over JSON-RPC); the relayer pays the gas.
function ethersClient(f: Fixture): ClientUnderTest {
  const patient = f.patient;
  const registry = f.system.consentRegistry.connect(f.relayer);
  return {
    sign: (terms) => signGrant(patient, registry, terms),
    relay: async (signed) => (await relayGrant(registry, signed)).version,
    signRevoke: (key) => signRevoke(patient, registry, key),
    relayRevoke: async (signed) => (await relayRevoke(registry, signed)).version,
    read: (key) => registry.consent(key.patient, key.grantee, key.purpose),
  };
}

function viemClient(f: Fixture): ClientUnderTest {
  const transport = custom(hre.network.provider);
  const publicClient = createPublicClient({ chain: hardhat, transport }) as PublicClient;
  const patient = createWalletClient({ chain: hardhat, transport, account: getAddress(f.patient.address) });
  const relayer = createWalletClient({ chain: hardhat, transport, account: getAddress(f.relayer.address) });
  const reader = viemConsentReader(publicClient, f.registryAddress);
  return {
    sign: (terms) => signGrant(viemTypedDataSigner(patient), reader, terms),
    relay: async (signed) => (await relayGrantViem(relayer, publicClient, f.registryAddress, signed)).version,
    signRevoke: (key) => signRevoke(viemTypedDataSigner(patient), reader, key),
    relayRevoke: async (signed) => (await relayRevokeViem(relayer, publicClient, f.registryAddress, signed)).version,
    read: (key) => readConsentViem(publicClient, f.registryAddress, key),
  };
}

describe("the SDK from each client", function () {
  for (const [name, make] of [
    ["ethers v6", ethersClient],
    ["viem", viemClient],
  ] as const) {
    context(`from ${name}`, function () {
      it("signs a grant over a committed FHIR Consent, relays it, reads it back, then revokes it", async function () {
        const f = await loadFixture(fixture);
        const client = make(f);
        const terms = termsFor(f.patient.address, f);
        const patient = terms.patient;
        const key = { patient, grantee: terms.grantee, purpose: terms.purpose };
        // The commitment is pure (no client): the same document and salt give the same value everywhere.
        const { document, commitment } = commitConsentDocument(terms, {}, "0x" + "11".repeat(32));
        expect(verify(document, commitment.salt, commitment.commitment)).to.equal(true);

        const signed = await client.sign({ ...terms, documentCommitment: commitment.commitment });
        expect(signed.request.signer).to.equal(patient);
        expect(await client.relay(signed)).to.equal(1n);
        const stored = await client.read(key);
        expect(BigInt(stored.version)).to.equal(1n);
        expect(stored.revoked).to.equal(false);
        // What one client wrote, the other reads the same.
        expect((await f.system.consentRegistry.consent(patient, terms.grantee, terms.purpose)).version).to.equal(1n);

        expect(await client.relayRevoke(await client.signRevoke(key))).to.equal(2n);
        expect((await client.read(key)).revoked).to.equal(true);
      });

      it("refuses a tampered request before spending gas, with the registry's named error", async function () {
        const f = await loadFixture(fixture);
        const client = make(f);
        const terms = termsFor(f.patient.address, f);
        const signed = await client.sign({ ...terms, documentCommitment: ethers.id("document") });
        const tampered = { ...signed, request: { ...signed.request, categories: categorySet("GENOMICS") } };
        const before = await ethers.provider.getBalance(f.relayer.address);
        await expectRejection(client.relay(tampered), /ConsentSignatureInvalid/);
        expect(await ethers.provider.getBalance(f.relayer.address)).to.equal(before);
      });
    });
  }
});

function termsFor(patient: string, f: Fixture) {
  return {
    patient,
    grantee: f.hospital.address,
    purpose: PURPOSES.TREATMENT,
    categories: categorySet("CONDITIONS", "MEDICATIONS"),
    startsAt: 1n,
    expiresAt: NO_EXPIRY,
  };
}

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(String(error instanceof Error ? `${error.message} ${JSON.stringify(error, replacer)}` : error)).to.match(
      message,
    );
    return;
  }
  expect.fail(`expected a rejection matching ${message}`);
}

function replacer(_key: string, value: unknown) {
  return typeof value === "bigint" ? value.toString() : value;
}
