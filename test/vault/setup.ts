/**
 * The record vault's test world: a real `hardhat node` process with the whole system deployed (Ignition) plus a
 * VaultAnchor, funded actors (St. Mary's, a second hospital, an emergency room with PROVIDER, the vault operator, a
 * relayer) and Alice's relationship accounts, derived from her mnemonic as her wallet would (src/identity).
 */
import { expect } from "chai";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Wallet, type BaseWallet } from "ethers";
import { VaultRequestError } from "../../src/vault/problems";
import { commit } from "../../src/records";
import { ROLES } from "../../src/authority/roles";
import { categorySet } from "../../src/consent/categories";
import { NO_EXPIRY } from "../../src/consent/fhir";
import { PURPOSES } from "../../src/consent/purposes";
import { relayGrant } from "../../src/consent/relayer";
import { signGrant } from "../../src/consent/signing";
import {
  ConsentRegistry__factory,
  HealthLedgerAuthority__factory,
  VaultAnchor__factory,
  type ConsentRegistry,
  type VaultAnchor,
} from "../../typechain-types";
import { spawn, type ChildProcess } from "node:child_process";
import {
  deployOnNode,
  freePort,
  HARDHAT_CLI,
  ROOT,
  startHardhatNode,
  waitForOutput,
  type HardhatNode,
  type NodeSystem,
} from "../shared/node";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** Hardhat's default account `index` (funded on the node), connected to `provider`. */
export function nodeAccount(index: number, provider: JsonRpcProvider): BaseWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}

/** Everything a vault test needs on chain. */
export interface VaultWorld {
  node: HardhatNode;
  provider: JsonRpcProvider;
  system: NodeSystem;
  chainId: bigint;
  anchor: VaultAnchor;
  anchorAddress: string;
  registry: ConsentRegistry;
  relayer: BaseWallet;
  stMarys: BaseWallet;
  hospital2: BaseWallet;
  emergencyRoom: BaseWallet;
  operator: BaseWallet;
  /** Alice's account with St. Mary's (her records there are keyed by it). */
  alice: Wallet;
  /** Alice's emergency card account. */
  aliceCard: Wallet;
  stop(): Promise<void>;
}

/** Starts a node, deploys, and sets the stage. */
export async function startVaultWorld(): Promise<VaultWorld> {
  const node = await startHardhatNode();
  try {
    const system = await deployOnNode(node.url);
    const provider = new JsonRpcProvider(node.url, 31337, { staticNetwork: true, cacheTimeout: -1 });
    const admin = nodeAccount(0, provider);
    const [relayer, stMarys, hospital2, emergencyRoom, operator] = [5, 1, 2, 3, 4].map((i) => nodeAccount(i, provider));
    const anchor = await new VaultAnchor__factory(admin).deploy();
    await anchor.waitForDeployment();
    const authority = HealthLedgerAuthority__factory.connect(system.authority, admin);
    await (await authority.grantRole(ROLES.PROVIDER, emergencyRoom.address, 0)).wait();
    const alice = Wallet.createRandom();
    const aliceCard = Wallet.createRandom();
    const registry = ConsentRegistry__factory.connect(system.consentRegistry, relayer);
    return {
      node,
      provider,
      system,
      chainId: 31337n,
      anchor,
      anchorAddress: await anchor.getAddress(),
      registry,
      relayer,
      stMarys,
      hospital2,
      emergencyRoom,
      operator,
      alice: new Wallet(alice.privateKey),
      aliceCard: new Wallet(aliceCard.privateKey),
      async stop() {
        provider.destroy();
        await node.stop();
      },
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** The categories of the test records. */
export const LABS = categorySet("LAB_RESULTS");

/** Alice (signing) grants `grantee` TREATMENT consent over `categories` until `expiresAt`, relayed. */
export async function grantConsent(
  world: VaultWorld,
  grantee: string,
  categories: bigint = LABS,
  expiresAt: bigint = NO_EXPIRY,
  patient: BaseWallet = world.alice,
): Promise<void> {
  const latest = await world.provider.getBlock("latest");
  const signed = await signGrant(patient, world.registry, {
    patient: patient.address,
    grantee,
    purpose: PURPOSES.TREATMENT,
    categories,
    startsAt: BigInt(latest!.timestamp),
    expiresAt,
    documentCommitment: commit(consentStub(grantee)).commitment,
  });
  await relayGrant(world.registry, signed);
}

/** A FHIR Observation (a lab result). */
export function labResult(value: number, code = "2345-7") {
  return {
    resourceType: "Observation",
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code }] },
    valueQuantity: { value, unit: "mg/dL" },
  };
}

function consentStub(grantee: string) {
  return { resourceType: "Consent", status: "active", grantee: { identifier: { value: grantee } } };
}

/** A vault running as its own process (`npx hardhat vault`), as operators run it. */
export interface VaultProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Starts `npx hardhat vault` for `world` on a free port over the database `db`, and resolves once it listens.
 * `head` picks how it reads the chain head (`fresh` by default); `nodeArgs` go to Node (a CPU profile, say).
 */
export async function startVaultProcess(
  world: VaultWorld,
  db: string,
  options: { head?: "fresh" | "polled"; nodeArgs?: string[] } = {},
): Promise<VaultProcess> {
  const port = await freePort();
  const args = [
    ...(options.nodeArgs ?? []),
    HARDHAT_CLI,
    "vault",
    ...["--registry", world.system.consentRegistry, "--anchor", world.anchorAddress, "--rpc", world.node.url],
    ...["--db", db, "--port", String(port), "--head", options.head ?? "fresh"],
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  await waitForOutput(child, /vault listening on/);
  // Keep draining its output, so that a chatty vault never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Expects `promise` to be refused by the vault with `problem` (its slug), and gives back the error. */
export async function refused(promise: Promise<unknown>, problem: string): Promise<VaultRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(VaultRequestError);
    expect((error as VaultRequestError).problem).to.equal(problem);
    return error as VaultRequestError;
  }
  expect.fail(`expected the vault to refuse with ${problem}`);
}
