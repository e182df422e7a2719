import type { ContractTransactionReceipt } from "ethers";
import type { ConsentRegistry } from "../../typechain-types";
import type { DelegateRequest, GrantRequest, RevokeRequest, Signed } from "./signing";

/** What a relayed submission returns: the mined receipt and, for consents, the consent's new version. */
export interface Relayed {
  receipt: ContractTransactionReceipt;
  version?: bigint;
}

async function mined(
  tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("The relayed transaction was dropped before being mined");
  return receipt;
}

function versionFrom(registry: ConsentRegistry, receipt: ContractTransactionReceipt, event: string): bigint {
  for (const log of receipt.logs) {
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === event) return parsed.args.version as bigint;
  }
  throw new Error(`The transaction ${receipt.hash} emitted no ${event}`);
}

/**
 * Submits a signed grant. `registry` must be connected to the relayer's signer, who pays the gas. The call is
 * simulated first, so a bad signature, nonce or deadline throws the registry's named error without spending gas.
 */
export async function relayGrant(registry: ConsentRegistry, signed: Signed<GrantRequest>): Promise<Relayed> {
  await registry.grantBySig.staticCall(signed.request, signed.signature);
  const receipt = await mined(registry.grantBySig(signed.request, signed.signature));
  return { receipt, version: versionFrom(registry, receipt, "ConsentGranted") };
}

/** Submits a signed revocation (see {@link relayGrant}). */
export async function relayRevoke(registry: ConsentRegistry, signed: Signed<RevokeRequest>): Promise<Relayed> {
  await registry.revokeBySig.staticCall(signed.request, signed.signature);
  const receipt = await mined(registry.revokeBySig(signed.request, signed.signature));
  return { receipt, version: versionFrom(registry, receipt, "ConsentRevoked") };
}

/** Submits a signed delegate appointment (see {@link relayGrant}). */
export async function relayDelegateAppointment(
  registry: ConsentRegistry,
  signed: Signed<DelegateRequest>,
): Promise<Relayed> {
  await registry.appointDelegateBySig.staticCall(signed.request, signed.signature);
  return { receipt: await mined(registry.appointDelegateBySig(signed.request, signed.signature)) };
}
