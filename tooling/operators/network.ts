import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { VALUE_BEARING_CHAINS } from "../networks";
import { UserError } from "./errors";

/**
 * Checked before any task sends anything: the node answers, its chain id is the one configured for the network,
 * and a value-bearing chain (mainnet, a production L2) is used only with `--allow-mainnet`. Returns the chain id.
 */
export async function checkNetwork(hre: HardhatRuntimeEnvironment, options: { allowMainnet?: boolean } = {}) {
  const config = hre.network.config;
  const url = "url" in config ? config.url : "the in-process Hardhat network";
  let chainId: number;
  try {
    // Asked directly over HTTP: Hardhat's provider would itself refuse a chain id mismatch with a less helpful error.
    chainId =
      "url" in config
        ? await chainIdAt(config.url)
        : Number(await hre.network.provider.request({ method: "eth_chainId" }));
  } catch {
    throw new UserError(
      `Cannot reach the node of network "${hre.network.name}" at ${url}: is it running, and is its RPC URL right?`,
    );
  }
  if (config.chainId !== undefined && config.chainId !== chainId) {
    throw new UserError(
      `Network "${hre.network.name}" expects chain ${config.chainId} but ${url} is chain ${chainId}: fix its RPC URL or chain id setting`,
    );
  }
  if (VALUE_BEARING_CHAINS.has(chainId) && options.allowMainnet !== true) {
    throw new UserError(
      `Chain ${chainId} carries real value: nothing was sent. Re-run with --allow-mainnet if you mean it`,
    );
  }
  return chainId;
}

/** The first configured account, or a message that says how to configure one. */
export async function operatorSigner(hre: HardhatRuntimeEnvironment) {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) {
    throw new UserError(
      `No account to sign with on network "${hre.network.name}": set DEPLOYER_PRIVATE_KEY (environment or \`npx hardhat vars set\`)`,
    );
  }
  return signers[0];
}

async function chainIdAt(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(15_000),
  });
  const { result } = (await response.json()) as { result?: string };
  if (typeof result !== "string") throw new Error(`${url} did not answer eth_chainId`);
  return Number(result);
}
