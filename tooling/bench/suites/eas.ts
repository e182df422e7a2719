import { EAS__factory, SchemaRegistry__factory } from "@ethereum-attestation-service/eas-contracts";
import { AbiCoder, Signature, ZeroAddress, ZeroHash, keccak256, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { measureTxDetails } from "../measure";
import type { BenchSuite, FloorSpec, Measurement } from "../types";

/**
 * The schema the peer attestations use: one salted record commitment, which is what a Health Ledger record
 * puts on chain, so that EAS stores the same payload our domain operations store.
 */
export const EAS_BENCH_SCHEMA = "bytes32 commitment";

/** A fixed block time for the attestation that is later revoked, so its uid (in revoke's calldata) is stable. */
const PINNED_TIME = 4_000_000_000;

/**
 * Storage slots an `attest` must create, counted from EAS 1.4's `Attestation` struct (Common.sol) as stored in
 * `_db[uid]`, for a revocable attestation with a recipient, no refUID and 32 bytes of data:
 *   slot 0 uid · slot 1 schema · slot 2 time|expirationTime|revocationTime (3 × uint64, packed; non-zero because
 *   time is) · slot 3 refUID (zero: not written) · slot 4 recipient · slot 5 attester|revocable ·
 *   slot 6 data length (32 bytes is the long form: length slot + one data slot at keccak256(slot 6)).
 */
const ATTESTATION_NEW_SLOTS = 7;

/** `Attested` / `Revoked`(recipient indexed, attester indexed, uid, schemaUID indexed): 4 topics, 32 data bytes. */
const ATTESTED_LOG = { topics: 4, dataBytes: 32 } as const;

/**
 * The Ethereum Attestation Service, deployed from the compiled artifacts its npm package ships (the package's
 * TypeChain factories carry the same bytecode and ABI as `artifacts/contracts/*.json`; nothing is recompiled).
 *
 * - `eas.attest`: an attester attests a commitment about a recipient.
 * - `eas.attestByDelegation`: a relayer submits an attestation signed (EIP-712) by the attester. Measured in
 *   steady state: the attester's second delegated attestation, so its nonce slot changes (1 → 2) rather than
 *   being created; the first one would cost 17,100 more, for the nonce slot going from zero.
 * - `eas.revoke`: the attester revokes the attestation (only `revocationTime` changes, inside packed slot 2).
 */
export const easSuite: BenchSuite = {
  name: "eas",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const [deployer, attester, relayer, recipient] = await hre.ethers.getSigners();
    const registry = await new SchemaRegistry__factory(deployer).deploy();
    await registry.waitForDeployment();
    const eas = await new EAS__factory(deployer).deploy(await registry.getAddress());
    await eas.waitForDeployment();

    // No resolver: the peer figure is EAS's own cost, not a resolver's.
    await (await registry.register(EAS_BENCH_SCHEMA, ZeroAddress, true)).wait();
    const schema = schemaUid(EAS_BENCH_SCHEMA, ZeroAddress, true);

    const requestData = (commitment: string) => ({
      recipient: recipient.address,
      expirationTime: 0n,
      revocable: true,
      refUID: ZeroHash,
      data: AbiCoder.defaultAbiCoder().encode(["bytes32"], [commitment]),
      value: 0n,
    });

    // eas.attest
    await hre.network.provider.request({ method: "evm_setNextBlockTimestamp", params: [PINNED_TIME] });
    const attest = await measureTxDetails(eas.connect(attester).attest({ schema, data: requestData(commitmentNo(1)) }));
    const block = attest.receipt.blockNumber;
    const [attested] = await eas.queryFilter(eas.filters.Attested(), block, block);
    if (attested === undefined) throw new Error("eas.attest emitted no Attested event");
    const uid = attested.args.uid;

    // eas.attestByDelegation: a first delegated attestation brings the attester's nonce to 1, then the second
    // one is measured.
    // The EIP-712 domain EAS signs under, read from the contract (EIP-5267) rather than assumed.
    const [, name, version, chainId, verifyingContract] = await eas.eip712Domain();
    const domain = { name, version, chainId, verifyingContract };
    const delegated = async (commitment: string) => {
      const data = requestData(commitment);
      const nonce = await eas.getNonce(attester.address);
      const signature = Signature.from(
        await attester.signTypedData(domain, ATTEST_TYPES, {
          attester: attester.address,
          schema,
          ...data,
          nonce,
          deadline: 0n,
        }),
      );
      return eas.connect(relayer).attestByDelegation({
        schema,
        data,
        signature: { v: signature.v, r: signature.r, s: signature.s },
        attester: attester.address,
        deadline: 0n,
      });
    };
    await measureTxDetails(delegated(commitmentNo(2)));
    const byDelegation = await measureTxDetails(delegated(commitmentNo(3)));

    // eas.revoke
    const revoke = await measureTxDetails(eas.connect(attester).revoke({ schema, data: { uid, value: 0n } }));

    const attestFloor = (calldata: string, changedSlots: number): FloorSpec => ({
      calldata,
      newSlots: ATTESTATION_NEW_SLOTS,
      changedSlots,
      logs: [ATTESTED_LOG],
    });
    return [
      { op: "eas.attest", gas: attest.gas, floor: attestFloor(attest.calldata, 0) },
      // The nonce slot of the attester changes (1 → 2).
      { op: "eas.attestByDelegation", gas: byDelegation.gas, floor: attestFloor(byDelegation.calldata, 1) },
      {
        op: "eas.revoke",
        gas: revoke.gas,
        floor: { calldata: revoke.calldata, newSlots: 0, changedSlots: 1, logs: [ATTESTED_LOG] },
      },
    ];
  },
};

/**
 * EAS's EIP-712 `Attest` type, as `EIP1271Verifier.sol` hashes it (ATTEST_TYPEHASH): keccak256("Attest(address
 * attester,bytes32 schema,address recipient,uint64 expirationTime,bool revocable,bytes32 refUID,bytes data,
 * uint256 value,uint256 nonce,uint64 deadline)").
 */
export const ATTEST_TYPES = {
  Attest: [
    { name: "attester", type: "address" },
    { name: "schema", type: "bytes32" },
    { name: "recipient", type: "address" },
    { name: "expirationTime", type: "uint64" },
    { name: "revocable", type: "bool" },
    { name: "refUID", type: "bytes32" },
    { name: "data", type: "bytes" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** A schema's uid as SchemaRegistry computes it: keccak256(abi.encodePacked(schema, resolver, revocable)). */
export function schemaUid(schema: string, resolver: string, revocable: boolean): string {
  return solidityPackedKeccak256(["string", "address", "bool"], [schema, resolver, revocable]);
}

/** A deterministic stand-in for a record commitment (the gas does not depend on its value, only on its bytes). */
function commitmentNo(n: number): string {
  return keccak256(toUtf8Bytes(`health-ledger.bench.commitment.${n}`));
}
