/**
 * Networks for operators, from configuration only: no URL or key is committed.
 *
 * A network is a name, an RPC URL and the chain id the operator expects. For a network `<name>` (upper-cased,
 * `-` as `_`, e.g. `base-sepolia` -> `BASE_SEPOLIA`):
 * - `<NAME>_RPC_URL`: its http(s) JSON-RPC URL (required);
 * - `<NAME>_CHAIN_ID`: the chain id expected there (required unless the name is in {@link KNOWN_CHAIN_IDS}).
 * Each is read from the environment, else from Hardhat's configuration variables (`npx hardhat vars set
 * SEPOLIA_RPC_URL`). Networks are the known names, those listed in `HEALTH_LEDGER_NETWORKS` (comma-separated),
 * and every `<NAME>_RPC_URL` in the environment that has a `<NAME>_CHAIN_ID` beside it. `DEPLOYER_PRIVATE_KEY` (0x + 64 hex digits) signs their transactions.
 * Tasks check the node's chain id against the expected one before sending anything (tooling/operators/network.ts).
 */
import { HardhatPluginError } from "hardhat/plugins";

/** Chain ids of the networks known by name; any other network gives `<NAME>_CHAIN_ID`. */
export const KNOWN_CHAIN_IDS: Readonly<Record<string, number>> = {
  mainnet: 1,
  sepolia: 11155111,
  holesky: 17000,
  hoodi: 560048,
};

/** Chains where transactions move real value: tasks refuse them unless `--allow-mainnet` is given. */
export const VALUE_BEARING_CHAINS: ReadonlySet<number> = new Set([
  1, // Ethereum
  10, // OP Mainnet
  56, // BNB Smart Chain
  100, // Gnosis
  137, // Polygon PoS
  324, // zkSync Era
  8453, // Base
  42161, // Arbitrum One
  42220, // Celo
  43114, // Avalanche C-Chain
  59144, // Linea
  534352, // Scroll
]);

/** Names reserved by Hardhat or by this project (`localhost` follows `HEALTH_LEDGER_NODE_URL`). */
const RESERVED = new Set(["hardhat", "localhost"]);

export interface HttpNetwork {
  url: string;
  chainId: number;
  accounts: string[];
}

/** Hardhat's configuration variables, as `hardhat/config`'s `vars` exposes them. */
export interface ConfigVars {
  has(name: string): boolean;
  get(name: string): string;
}

const NO_VARS: ConfigVars = { has: () => false, get: () => "" };

function fail(message: string): never {
  throw new HardhatPluginError("health-ledger", message);
}

const envPrefix = (name: string) => name.toUpperCase().replace(/-/g, "_");

export function networksFromEnv(env: NodeJS.ProcessEnv, vars: ConfigVars = NO_VARS): Record<string, HttpNetwork> {
  const setting = (key: string): string | undefined => env[key] ?? (vars.has(key) ? vars.get(key) : undefined);
  const listed = new Set<string>();
  for (const name of (setting("HEALTH_LEDGER_NETWORKS") ?? "").split(",")) if (name.trim()) listed.add(name.trim());
  const names = new Set<string>([...listed, ...Object.keys(KNOWN_CHAIN_IDS)]);
  for (const key of Object.keys(env)) {
    const match = /^([A-Z][A-Z0-9_]*)_RPC_URL$/.exec(key);
    // Another tool's variable (Foundry's ETH_RPC_URL) must not break this config: without a chain id, skip it.
    if (match && env[key] && env[`${match[1]}_CHAIN_ID`] !== undefined) {
      names.add(match[1].toLowerCase().replace(/_/g, "-"));
    }
  }
  const networks: Record<string, HttpNetwork> = {};
  for (const name of names) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(`Network name "${name}" must be lower-case letters, digits and -`);
    if (RESERVED.has(name)) continue;
    const prefix = envPrefix(name);
    const url = setting(`${prefix}_RPC_URL`);
    if (!url) {
      if (name in KNOWN_CHAIN_IDS) continue;
      fail(`Network "${name}" has no RPC URL: set ${prefix}_RPC_URL (environment or \`npx hardhat vars set\`)`);
    }
    if (!/^https?:\/\//.test(url)) fail(`${prefix}_RPC_URL must be an http(s) URL, got "${url}"`);
    const chainIdSetting = setting(`${prefix}_CHAIN_ID`);
    let chainId = KNOWN_CHAIN_IDS[name];
    if (chainIdSetting !== undefined) {
      if (!/^[1-9][0-9]*$/.test(chainIdSetting)) {
        fail(`${prefix}_CHAIN_ID must be a positive integer, got "${chainIdSetting}"`);
      }
      chainId = Number(chainIdSetting);
      if (name in KNOWN_CHAIN_IDS && chainId !== KNOWN_CHAIN_IDS[name]) {
        fail(`${prefix}_CHAIN_ID is ${chainId} but ${name} is chain ${KNOWN_CHAIN_IDS[name]}: remove or fix it`);
      }
    }
    if (chainId === undefined) {
      fail(`Network "${name}" needs the chain id you expect there: set ${prefix}_CHAIN_ID (e.g. 84532)`);
    }
    networks[name] = { url, chainId, accounts: deployerAccounts(setting("DEPLOYER_PRIVATE_KEY")) };
  }
  return networks;
}

function deployerAccounts(key: string | undefined): string[] {
  if (!key) return [];
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) fail("DEPLOYER_PRIVATE_KEY must be 0x followed by 64 hex digits");
  return [key];
}
