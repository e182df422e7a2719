/**
 * The `deploy` task's logic: validate every parameter against the chain before the first transaction, run the
 * Ignition deployment (which resumes from its journal when re-run), then write the address book entry.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, ZeroAddress, getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import HealthLedgerModule from "../../ignition/modules/HealthLedger";
import TestTokenModule from "../../ignition/modules/TestToken";
import { DEFAULT_GUARDIAN_PROOF_DELAY } from "../../ignition/modules/Authority";
import { GUARDIAN_PROOF_MARGIN } from "../../src/authority/permissions";
import type { AddressBookEntry } from "../../src/addresses/types";
import { DEPLOYMENTS_DIR, writeAddressBookEntry } from "../address-book";
import { UserError } from "./errors";
import { checkNetwork, operatorSigner } from "./network";

/** The task's arguments, as typed on the command line. */
export interface DeployArgs {
  guardian?: string;
  adminDelay?: string;
  guardianProofDelay?: string;
  paymentToken?: string;
  deploymentId?: string;
  allowMainnet?: boolean;
  verify?: boolean;
}

/** Validated deployment parameters, as recorded beside the journal. */
export interface DeployParameters {
  guardian: string;
  adminDelay: number;
  guardianProofDelay: number;
  /** The escrow's ERC-20, or `"TestToken"` on a local chain where a mintable test token is deployed. */
  paymentToken: string;
}

/** Chains that exist only on this machine: a `TestToken` may stand in for the payment token there. */
export const LOCAL_CHAINS: ReadonlySet<number> = new Set([31337, 1337]);
/** The longest admin delay accepted: an admin change that waits longer is almost certainly a typo. */
export const MAX_ADMIN_DELAY = 30 * 24 * 3600;
/** The longest guardian-proof delay accepted (a year). */
export const MAX_GUARDIAN_PROOF_DELAY = 365 * 24 * 3600;
export const PARAMETERS_FILE = "health-ledger-deploy.json";

/** An address argument: well-formed and checksummed (a checksum catches a mistyped character). */
export function checkedAddress(flag: string, value: string): string {
  if (!isAddress(value)) {
    throw new UserError(`--${flag} must be an address (0x and 40 hex digits, valid checksum); got "${value}"`);
  }
  const checksummed = getAddress(value);
  if (value !== checksummed) {
    throw new UserError(`--${flag} is not checksummed: use ${checksummed} (copied from a source you trust)`);
  }
  return checksummed;
}

function seconds(flag: string, value: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value) || Number(value) > max) {
    throw new UserError(`--${flag} must be whole seconds between 0 and ${max}; got "${value}"`);
  }
  return Number(value);
}

/** Checks every parameter (reading the chain, sending nothing) and gives back the values to deploy with. */
export async function validateDeployParameters(
  hre: HardhatRuntimeEnvironment,
  chainId: number,
  deployer: string,
  args: DeployArgs,
): Promise<DeployParameters> {
  const guardian = args.guardian === undefined ? deployer : checkedAddress("guardian", args.guardian);
  if (guardian === ZeroAddress) {
    throw new UserError("--guardian must not be the zero address: nobody could cancel a scheduled admin operation");
  }
  const adminDelay = seconds("admin-delay", args.adminDelay ?? "0", MAX_ADMIN_DELAY);
  const guardianProofDelay = seconds(
    "guardian-proof-delay",
    args.guardianProofDelay ?? String(DEFAULT_GUARDIAN_PROOF_DELAY),
    MAX_GUARDIAN_PROOF_DELAY,
  );
  if (guardianProofDelay < adminDelay + Number(GUARDIAN_PROOF_MARGIN)) {
    throw new UserError(
      `--guardian-proof-delay (${guardianProofDelay}s) must exceed --admin-delay (${adminDelay}s) by at least ${GUARDIAN_PROOF_MARGIN}s, or a guardian could not cancel admin operations`,
    );
  }
  let paymentToken: string;
  if (args.paymentToken === undefined) {
    if (!LOCAL_CHAINS.has(chainId)) {
      throw new UserError(`--payment-token is required on chain ${chainId}: the ERC-20 (a stablecoin) claims pay in`);
    }
    paymentToken = "TestToken";
  } else {
    paymentToken = checkedAddress("payment-token", args.paymentToken);
    if ((await hre.ethers.provider.getCode(paymentToken)) === "0x") {
      throw new UserError(
        `--payment-token ${paymentToken} has no code on chain ${chainId}: is it the token's address on this chain?`,
      );
    }
    const token = new Contract(paymentToken, ["function decimals() view returns (uint8)"], hre.ethers.provider);
    try {
      await token.decimals();
    } catch {
      throw new UserError(`--payment-token ${paymentToken} does not answer decimals(): it is not an ERC-20 token`);
    }
  }
  return { guardian, adminDelay, guardianProofDelay, paymentToken };
}

interface Recorded {
  parameters: DeployParameters;
  fromBlock: number;
}

function describeChange(before: DeployParameters, now: DeployParameters): string {
  return (Object.keys(now) as (keyof DeployParameters)[])
    .filter((k) => String(before[k]) !== String(now[k]))
    .map((k) => `${k} ${before[k]} -> ${now[k]}`)
    .join(", ");
}

/** What `deploy` did. */
export interface DeployResult {
  entry: AddressBookEntry;
  resumed: boolean;
  addressBookFile?: string;
}

/** The whole `deploy` task. */
export async function deployTask(
  hre: HardhatRuntimeEnvironment,
  args: DeployArgs,
  log: (line: string) => void = console.log,
): Promise<DeployResult> {
  const chainId = await checkNetwork(hre, { allowMainnet: args.allowMainnet });
  const deployer = await operatorSigner(hre);
  const parameters = await validateDeployParameters(hre, chainId, deployer.address, args);
  const deploymentId = args.deploymentId ?? `chain-${chainId}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(deploymentId)) {
    throw new UserError(`--deployment-id must be letters, digits, - and _; got "${deploymentId}"`);
  }
  // The in-process network keeps no journal (every run is a fresh chain): nothing to record or resume there.
  const persistent = hre.network.name !== "hardhat";
  const folder = join(DEPLOYMENTS_DIR, deploymentId);
  const recordFile = join(folder, PARAMETERS_FILE);
  let recorded: Recorded | undefined;
  if (persistent && existsSync(recordFile)) {
    recorded = JSON.parse(readFileSync(recordFile, "utf8")) as Recorded;
    const change = describeChange(recorded.parameters, parameters);
    if (change !== "") {
      throw new UserError(
        `Deployment "${deploymentId}" on chain ${chainId} was started with other parameters (${change}): re-run with the original values to finish it, or pass --deployment-id <new-id> to start over (see docs/deployment.md, "Recovering from a failed deployment")`,
      );
    }
    const addressesFile = join(folder, "deployed_addresses.json");
    const first = existsSync(addressesFile)
      ? Object.values(JSON.parse(readFileSync(addressesFile, "utf8")) as Record<string, string>)[0]
      : undefined;
    if (first !== undefined && (await hre.ethers.provider.getCode(first)) === "0x") {
      throw new UserError(
        `Deployment "${deploymentId}" refers to contracts that chain ${chainId} does not have (a restarted local node?): remove ignition/deployments/${deploymentId} or pass another --deployment-id`,
      );
    }
    log(`Resuming deployment "${deploymentId}" on chain ${chainId} (started at block ${recorded.fromBlock})`);
  } else if (persistent && existsSync(join(folder, "journal.jsonl"))) {
    throw new UserError(
      `ignition/deployments/${deploymentId} holds a journal this task did not start: pass another --deployment-id, or remove that folder if its chain is gone`,
    );
  }
  const fromBlock = recorded?.fromBlock ?? (await hre.ethers.provider.getBlockNumber());
  if (persistent && recorded === undefined) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(recordFile, `${JSON.stringify({ parameters, fromBlock }, null, 2)}\n`);
    log(`Deploying "${deploymentId}" on chain ${chainId} from ${deployer.address}`);
  }

  let paymentToken = parameters.paymentToken;
  if (paymentToken === "TestToken") {
    const token = await hre.ignition.deploy(TestTokenModule, { deploymentId: persistent ? deploymentId : undefined });
    paymentToken = await token.paymentToken.getAddress();
  }
  const deployed = await hre.ignition.deploy(HealthLedgerModule, {
    deploymentId: persistent ? deploymentId : undefined,
    parameters: {
      HealthLedger: { guardian: parameters.guardian, adminDelay: parameters.adminDelay },
      Authority: { guardianProofDelay: parameters.guardianProofDelay },
      Claims: { paymentToken },
    },
  });
  const entry: AddressBookEntry = {
    chainId,
    deploymentId,
    fromBlock,
    authority: await deployed.authority.getAddress(),
    forwarder: await deployed.forwarder.getAddress(),
    consentRegistry: await deployed.consentRegistry.getAddress(),
    trialRegistry: await deployed.trialRegistry.getAddress(),
    drugProvenance: await deployed.drugProvenance.getAddress(),
    claimsManager: await deployed.claimsManager.getAddress(),
    vaultAnchor: await deployed.vaultAnchor.getAddress(),
    paymentToken,
  };
  for (const [name, address] of Object.entries(entry)) {
    if (typeof address === "string" && address.startsWith("0x")) log(`  ${name.padEnd(16)} ${address}`);
  }
  const result: DeployResult = { entry, resumed: recorded !== undefined };
  if (persistent) {
    result.addressBookFile = writeAddressBookEntry(entry);
    log(`Address book: ignition/deployments/${deploymentId}/address-book.json`);
  }
  if (args.verify === true) {
    if (!persistent) throw new UserError("--verify needs a public network: the in-process chain has no explorer");
    log("Verifying the contracts (Etherscan-compatible explorer configured by ETHERSCAN_API_KEY, and Sourcify)");
    await hre.run({ scope: "ignition", task: "verify" }, { deploymentId });
  }
  return result;
}
