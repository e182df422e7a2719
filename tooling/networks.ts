/**
 * Network settings for operators, read from the environment so that no key or URL is committed.
 *
 * For every network in {@link KNOWN_NETWORKS}, setting `<NAME>_RPC_URL` (e.g. `SEPOLIA_RPC_URL`) adds it;
 * `DEPLOYER_PRIVATE_KEY` (0x + 64 hex digits) signs its transactions.
 */
export const KNOWN_NETWORKS = { sepolia: 11155111, holesky: 17000, hoodi: 560048 } as const;

export interface HttpNetwork {
  url: string;
  chainId: number;
  accounts: string[];
}

export function networksFromEnv(env: NodeJS.ProcessEnv): Record<string, HttpNetwork> {
  const networks: Record<string, HttpNetwork> = {};
  for (const [name, chainId] of Object.entries(KNOWN_NETWORKS)) {
    const url = env[`${name.toUpperCase()}_RPC_URL`];
    if (!url) continue;
    if (!/^https?:\/\//.test(url)) {
      throw new Error(`${name.toUpperCase()}_RPC_URL must be an http(s) URL, got "${url}"`);
    }
    networks[name] = { url, chainId, accounts: deployerAccounts(env) };
  }
  return networks;
}

function deployerAccounts(env: NodeJS.ProcessEnv): string[] {
  const key = env.DEPLOYER_PRIVATE_KEY;
  if (!key) return [];
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new Error("DEPLOYER_PRIVATE_KEY must be 0x followed by 64 hex digits");
  }
  return [key];
}
