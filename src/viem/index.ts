/**
 * Health Ledger from viem (`health-ledger/viem`): the same consent signing and relaying as the ethers helpers,
 * over a viem `PublicClient` (reads) and `WalletClient` (signs and sends). The payloads, EIP-712 types and
 * checks are the SDK's own (`signGrant`, `signRevoke`, ...); only the I/O differs. The pure helpers
 * (commitments, serial trees, claim previews) take no client at all.
 */
import {
  getAddress,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { consentRegistryAbi } from "../abi";
import type { ConsentReader, GrantRequest, RevokeRequest, Signed, TypedDataSigner } from "../consent/signing";

/** A wallet client with its account set (a local `privateKeyToAccount(...)` or a JSON-RPC account). */
export type AccountWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/** A consent registry read through a viem public client, as signing needs it. */
export function viemConsentReader(client: PublicClient, registry: string): ConsentReader {
  const address = getAddress(registry);
  return {
    eip712Domain: () => client.readContract({ address, abi: consentRegistryAbi, functionName: "eip712Domain" }),
    nonces: (owner) =>
      client.readContract({ address, abi: consentRegistryAbi, functionName: "nonces", args: [getAddress(owner)] }),
    delegation: (patient, delegate) =>
      client.readContract({
        address,
        abi: consentRegistryAbi,
        functionName: "delegation",
        args: [getAddress(patient), getAddress(delegate)],
      }),
    latestTimestamp: async () => (await client.getBlock({ blockTag: "latest" })).timestamp,
  };
}

/** A viem wallet client (with an account) as a {@link TypedDataSigner}. */
export function viemTypedDataSigner(wallet: AccountWalletClient): TypedDataSigner {
  return {
    getAddress: async () => wallet.account.address,
    signTypedData: (
      domain: TypedDataDomain,
      types: Record<string, TypedDataField[]>,
      value: Record<string, unknown>,
    ) => {
      const [primaryType] = Object.keys(types);
      return wallet.signTypedData({
        account: wallet.account,
        domain: {
          name: domain.name ?? undefined,
          version: domain.version ?? undefined,
          chainId: domain.chainId === undefined || domain.chainId === null ? undefined : Number(domain.chainId),
          verifyingContract: (domain.verifyingContract ?? undefined) as Address | undefined,
        },
        types,
        primaryType,
        message: value,
      });
    },
  };
}

/** What a relayed submission returns: its mined receipt and, for consents, the consent's new version. */
export interface ViemRelayed {
  receipt: TransactionReceipt;
  version?: bigint;
}

const asGrant = (r: GrantRequest) => ({
  ...r,
  signer: getAddress(r.signer),
  patient: getAddress(r.patient),
  grantee: getAddress(r.grantee),
  purpose: r.purpose as Hex,
  categories: r.categories,
  startsAt: Number(r.startsAt),
  expiresAt: Number(r.expiresAt),
  documentCommitment: r.documentCommitment as Hex,
  delegationEpoch: Number(r.delegationEpoch),
  deadline: Number(r.deadline),
});

const asRevoke = (r: RevokeRequest) => ({
  ...r,
  signer: getAddress(r.signer),
  patient: getAddress(r.patient),
  grantee: getAddress(r.grantee),
  purpose: r.purpose as Hex,
  delegationEpoch: Number(r.delegationEpoch),
  deadline: Number(r.deadline),
});

async function mined(client: PublicClient, hash: Hex): Promise<TransactionReceipt> {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`The relayed transaction ${hash} reverted`);
  return receipt;
}

function versionFrom(receipt: TransactionReceipt, eventName: "ConsentGranted" | "ConsentRevoked"): bigint {
  const [log] = parseEventLogs({ abi: consentRegistryAbi, logs: receipt.logs, eventName });
  if (log === undefined) throw new Error(`The transaction ${receipt.transactionHash} emitted no ${eventName}`);
  return BigInt(log.args.version);
}

/**
 * Submits a signed grant from the relayer's wallet, which pays the gas. Simulated first, so a bad signature, nonce
 * or deadline throws the registry's named error (viem's `ContractFunctionRevertedError`) without spending gas.
 */
export async function relayGrantViem(
  wallet: AccountWalletClient,
  client: PublicClient,
  registry: string,
  signed: Signed<GrantRequest>,
): Promise<ViemRelayed> {
  const { request } = await client.simulateContract({
    account: wallet.account,
    address: getAddress(registry),
    abi: consentRegistryAbi,
    functionName: "grantBySig",
    args: [asGrant(signed.request), signed.signature as Hex],
  });
  const receipt = await mined(client, await wallet.writeContract(request));
  return { receipt, version: versionFrom(receipt, "ConsentGranted") };
}

/** Submits a signed revocation (see {@link relayGrantViem}). */
export async function relayRevokeViem(
  wallet: AccountWalletClient,
  client: PublicClient,
  registry: string,
  signed: Signed<RevokeRequest>,
): Promise<ViemRelayed> {
  const { request } = await client.simulateContract({
    account: wallet.account,
    address: getAddress(registry),
    abi: consentRegistryAbi,
    functionName: "revokeBySig",
    args: [asRevoke(signed.request), signed.signature as Hex],
  });
  const receipt = await mined(client, await wallet.writeContract(request));
  return { receipt, version: versionFrom(receipt, "ConsentRevoked") };
}

/** A consent as stored, read with viem (`consent(patient, grantee, purpose)`). */
export async function readConsentViem(
  client: PublicClient,
  registry: string,
  key: { patient: string; grantee: string; purpose: string },
) {
  return client.readContract({
    address: getAddress(registry),
    abi: consentRegistryAbi,
    functionName: "consent",
    args: [getAddress(key.patient), getAddress(key.grantee), key.purpose as Hex],
  });
}
