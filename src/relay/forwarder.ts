import type { ContractTransactionReceipt, Provider, Signer, TypedDataDomain, TypedDataField } from "ethers";
import type { HealthLedgerForwarder } from "../../typechain-types";

/**
 * ERC-2771 relaying: a patient's relationship account (which holds no ETH) signs a call; any relayer submits it
 * through the `HealthLedgerForwarder` and pays the gas; the target contract sees the signer as its caller. See
 * docs/privacy.md (rule 2: no account is funded).
 */

/** EIP-712 type of OpenZeppelin's `ERC2771Forwarder` request (the nonce is the signer's, read from the forwarder). */
export const FORWARD_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ForwardRequest: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "gas", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint48" },
    { name: "data", type: "bytes" },
  ],
};

/** A call to relay: the target, its calldata, and optional limits. */
export interface ForwardCall {
  /** The Health Ledger contract to call (it must trust the forwarder). */
  to: string;
  /** ABI-encoded call, e.g. `trialRegistry.interface.encodeFunctionData("withdraw", [trialId])`. */
  data: string;
  /** Gas for the inner call; estimated from a direct call by the signer, plus a margin, when omitted. */
  gas?: bigint;
  /** Seconds from now the request stays valid (default one hour). */
  ttl?: number;
}

/** A signed request, as `HealthLedgerForwarder.execute` takes it. */
export interface ForwardRequestData {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  deadline: bigint;
  data: string;
  signature: string;
}

/** Margin over the estimated gas of the inner call: the forwarder refuses a call that could run out of gas. */
const GAS_MARGIN_PERCENT = 25n;

/**
 * Signs `call` as `signer` (the relationship account) for `forwarder`. The call is first simulated as a direct call
 * from the signer, so a request that would fail throws the target's named error here, before anyone pays for it.
 * `forwarder` only needs a provider (the relayer is chosen later).
 */
export async function signForwardRequest(
  signer: Signer,
  forwarder: HealthLedgerForwarder,
  call: ForwardCall,
): Promise<ForwardRequestData> {
  const provider = forwarder.runner?.provider as Provider | null | undefined;
  if (!provider) throw new Error("The forwarder contract must be connected to a provider to sign a request for it");
  const from = await signer.getAddress();
  const direct = { from, to: call.to, data: call.data };
  // Throws with the target's revert data (decodable into its custom error) when the call would fail.
  await provider.call(direct);
  const gas = call.gas ?? ((await provider.estimateGas(direct)) * (100n + GAS_MARGIN_PERCENT)) / 100n;
  const latest = await provider.getBlock("latest");
  const deadline = BigInt(latest!.timestamp + (call.ttl ?? 3600));
  const nonce = await forwarder.nonces(from);
  const { chainId } = await provider.getNetwork();
  const domain: TypedDataDomain = {
    name: "Health Ledger Forwarder",
    version: "1",
    chainId,
    verifyingContract: await forwarder.getAddress(),
  };
  const message = { from, to: call.to, value: 0n, gas, nonce, deadline, data: call.data };
  const signature = await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, message);
  return { from, to: call.to, value: 0n, gas, deadline, data: call.data, signature };
}

/**
 * Submits a signed request; `forwarder` must be connected to the relayer's signer, who pays the gas. Checked first
 * with the forwarder's own `verify` (signature, deadline, trusted target), so a stale or forged request throws
 * without spending gas.
 */
export async function relayForwardRequest(
  forwarder: HealthLedgerForwarder,
  request: ForwardRequestData,
): Promise<ContractTransactionReceipt> {
  if (!(await forwarder.verify(request))) {
    throw new Error(
      `The forward request of ${request.from} is not valid now (expired, used, or not signed by its sender): sign it again`,
    );
  }
  const receipt = await (await forwarder.execute(request)).wait();
  if (receipt === null) throw new Error("The relayed transaction was dropped before being mined");
  return receipt;
}
