import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { PeerERC1155__factory } from "../../../typechain-types";
import { measureTxDetails } from "../measure";
import type { BenchSuite, Measurement } from "../types";

/** `TransferSingle(operator indexed, from indexed, to indexed, id, value)`: 4 topics, 64 data bytes. */
const TRANSFER_SINGLE_LOG = { topics: 4, dataBytes: 64 } as const;

/**
 * OpenZeppelin 5.4's ERC-1155 (`contracts/test/PeerERC1155.sol`) as the custody-transfer baseline.
 *
 * `erc1155.transfer`: the holder moves 1 of its 100 units of a token id to an EOA that holds none of that id
 * (a fresh custodian, which is what a custody transfer in a supply chain is). ERC-1155 keeps one balance slot
 * per (id, account), so whether the receiver holds other ids makes no difference. It must write: the sender's
 * balance (non-zero → non-zero: changed) and the receiver's (zero → non-zero: new), and emit TransferSingle.
 * The receiver is an EOA, so no `onERC1155Received` call is made.
 */
export const erc1155Suite: BenchSuite = {
  name: "erc1155",
  async run(hre: HardhatRuntimeEnvironment): Promise<Measurement[]> {
    const [holder, custodian] = await hre.ethers.getSigners();
    const id = 1n;
    const token = await new PeerERC1155__factory(holder).deploy(holder.address, id, 100n);
    await token.waitForDeployment();

    const transfer = await measureTxDetails(token.safeTransferFrom(holder.address, custodian.address, id, 1n, "0x"));
    return [
      {
        op: "erc1155.transfer",
        gas: transfer.gas,
        floor: { calldata: transfer.calldata, newSlots: 1, changedSlots: 1, logs: [TRANSFER_SINGLE_LOG] },
      },
    ];
  },
};
