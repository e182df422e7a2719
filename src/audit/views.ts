/**
 * Reading the contracts' views many at a time. A node's cost is per request rather than per view (a `hardhat node`
 * spends about half a millisecond on each `eth_call`), and hosted providers count requests: so views go a few hundred
 * to one `eth_call` of {@link VIEW_BATCH_CODE} (contracts/audit/ViewBatch.sol) placed at an unused address by the
 * call's state override. A node without state overrides is read in JSON-RPC batches, and one without batches one call
 * at a time; the answers are the same.
 */
import { Interface } from "ethers";
import { isTransient, RpcError, toQuantity, type Rpc } from "../chain/rpc";
import { withRetries } from "../chain/logs";
import { compileView } from "./abi";

/**
 * The runtime code of contracts/audit/ViewBatch.sol as compiled by this project (solc 0.8.30, osaka, 10,000 runs).
 * A test holds it equal to the artifact: after editing the contract, copy the artifact's `deployedBytecode` here.
 */
export const VIEW_BATCH_CODE =
  "0x608060405234801561000f575f5ffd5b5060043610610029575f3560e01c8063849419371461002d575b5f5ffd5b61004061003b366004" +
  "61023f565b610057565b60405161004e9291906102ab565b60405180910390f35b606080828067ffffffffffffffff811115610074576100" +
  "746103a9565b60405190808252806020026020018201604052801561009d578160200160208202803683370190505b5092508067ffffffff" +
  "ffffffff8111156100b9576100b96103a9565b6040519080825280602002602001820160405280156100ec57816020015b60608152602001" +
  "906001900390816100d75790505b5091505f5b818110156101ec5787878281811061010b5761010b6103d6565b9050602002016020810190" +
  "6101209190610403565b73ffffffffffffffffffffffffffffffffffffffff16868683818110610148576101486103d6565b905060200281" +
  "019061015a919061043d565b60405161016892919061049e565b5f60405180830381855afa9150503d805f81146101a0576040519150601f" +
  "19603f3d011682016040523d82523d5f602084013e6101a5565b606091505b508583815181106101b8576101b86103d6565b602002602001" +
  "018584815181106101d1576101d16103d6565b602090810291909101019190915290151590526001016100f1565b50509450949250505056" +
  "5b5f5f83601f840112610207575f5ffd5b50813567ffffffffffffffff81111561021e575f5ffd5b6020830191508360208260051b850101" +
  "1115610238575f5ffd5b9250929050565b5f5f5f5f60408587031215610252575f5ffd5b843567ffffffffffffffff811115610268575f5f" +
  "fd5b610274878288016101f7565b909550935050602085013567ffffffffffffffff811115610293575f5ffd5b61029f878288016101f756" +
  "5b95989497509550505050565b604080825283519082018190525f9060208501906060840190835b818110156102e6578351151583526020" +
  "93840193909201916001016102c6565b50508381036020850152809150845180825260208201925060208160051b830101602087015f5b83" +
  "81101561039b577fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe085840301865281518051808552806020" +
  "8301602087015e5f6020828701015260207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0601f83011686" +
  "01019450505060208201915060208601955060018101905061030d565b509098975050505050505050565b7f4e487b710000000000000000" +
  "00000000000000000000000000000000000000005f52604160045260245ffd5b7f4e487b7100000000000000000000000000000000000000" +
  "0000000000000000005f52603260045260245ffd5b5f60208284031215610413575f5ffd5b813573ffffffffffffffffffffffffffffffff" +
  "ffffffff81168114610436575f5ffd5b9392505050565b5f5f83357fffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
  "ffffffe1843603018112610470575f5ffd5b83018035915067ffffffffffffffff82111561048a575f5ffd5b602001915036819003821315" +
  "610238575f5ffd5b818382375f910190815291905056fea164736f6c634300081e000a";

/** Where the code is placed for the call: an address no key controls ("HealthLedgerViewBatc" in ASCII). */
export const VIEW_BATCH_ADDRESS = "0x4865616c74684c65646765725669657742617463";
/** ViewBatch's one function. */
export const VIEW_BATCH_ABI = new Interface([
  "function read(address[] targets, bytes[] calls) view returns (bool[] ok, bytes[] answers)",
]);
const BATCH = compileView(VIEW_BATCH_ABI, "read");
const READ_SELECTOR = VIEW_BATCH_ABI.getFunction("read")!.selector;

const word = (n: number) => n.toString(16).padStart(64, "0");

/**
 * The calldata of `read(targets, calls)`, written directly: ethers' coder checksums every address and copies every
 * byte string, half a second per 100,000-event audit. A test holds it equal to ethers' encoding.
 */
export function encodeViewBatch(calls: readonly ViewCall[]): string {
  const n = calls.length;
  const head = [READ_SELECTOR, word(64), word(64 + 32 * (1 + n)), word(n)];
  for (const { to } of calls) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(to)) throw new TypeError(`not an address: ${to}`);
    head.push(to.slice(2).toLowerCase().padStart(64, "0"));
  }
  head.push(word(n));
  const bodies: string[] = [];
  let offset = 32 * n;
  for (const { data } of calls) {
    if (!/^0x(?:[0-9a-fA-F]{2})*$/.test(data)) throw new TypeError(`not calldata: ${data.slice(0, 20)}`);
    head.push(word(offset));
    const bytes = (data.length - 2) / 2;
    const padded = 64 * Math.ceil(bytes / 32);
    bodies.push(word(bytes) + data.slice(2).toLowerCase().padEnd(padded, "0"));
    offset += 32 + padded / 2;
  }
  return head.join("") + bodies.join("");
}

/** One view call. */
export interface ViewCall {
  to: string;
  data: string;
}

/** How {@link ViewReader} reaches the node: state override, JSON-RPC batches, or one call at a time. */
export type ViewTransport = "override" | "batch" | "single";

/** Each transport in words, for the report and the command's summary. */
export const VIEW_TRANSPORT_TEXT: Record<ViewTransport, string> = {
  override: "a few hundred per eth_call (the view batch, placed by state override)",
  batch: "in JSON-RPC batches (the node takes no state override)",
  single: "one eth_call each (the node takes neither state overrides nor batches)",
};

/**
 * Reads views at one block, many per request (see the module comment). The transport is chosen on the first read:
 * a node that refuses the state override, or answers without running the code, is read in batches from then on.
 * Transient failures (a closed kept-alive connection, a timeout) are retried; a view that reverts is an
 * {@link RpcError} in its place, as in a JSON-RPC batch.
 */
export class ViewReader {
  private transport: ViewTransport | undefined;
  private readonly tag: string;

  constructor(
    private readonly rpc: Rpc,
    block: number,
    /** Views per request. */
    readonly size = 250,
  ) {
    this.tag = toQuantity(block);
  }

  /** The transport in use (`undefined` before the first read). */
  get using(): ViewTransport | undefined {
    return this.transport;
  }

  /** Each call's answer (hex) or its error, in order; at most {@link size} calls per request. */
  async read(calls: readonly ViewCall[]): Promise<(string | RpcError)[]> {
    const out: (string | RpcError)[] = [];
    for (let i = 0; i < calls.length; i += this.size) out.push(...(await this.chunk(calls.slice(i, i + this.size))));
    return out;
  }

  private retrying<R>(work: () => Promise<R>): Promise<R> {
    return withRetries(work, { retries: 4, backoffMs: 100 });
  }

  private async chunk(calls: readonly ViewCall[]): Promise<(string | RpcError)[]> {
    if (this.transport === undefined || this.transport === "override") {
      const answers = await this.overridden(calls);
      if (answers !== undefined) {
        this.transport = "override";
        return answers;
      }
      this.transport = this.rpc.batch === undefined ? "single" : "batch";
    }
    if (this.transport === "batch") {
      const answers = await this.retrying(() =>
        this.rpc.batch!(calls.map(({ to, data }) => ({ method: "eth_call", params: [{ to, data }, this.tag] }))),
      );
      return answers.map((a) => (a instanceof RpcError ? a : String(a)));
    }
    const out: (string | RpcError)[] = [];
    for (const { to, data } of calls) {
      try {
        out.push(String(await this.retrying(() => this.rpc.send("eth_call", [{ to, data }, this.tag]))));
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        out.push(error);
      }
    }
    return out;
  }

  /** The calls as one `eth_call` of the batch code; `undefined` when the node does not run it (no state override). */
  private async overridden(calls: readonly ViewCall[]): Promise<(string | RpcError)[] | undefined> {
    const data = encodeViewBatch(calls);
    let answer: unknown;
    try {
      answer = await this.retrying(() =>
        this.rpc.send("eth_call", [
          { to: VIEW_BATCH_ADDRESS, data },
          this.tag,
          { [VIEW_BATCH_ADDRESS]: { code: VIEW_BATCH_CODE } },
        ]),
      );
    } catch (error) {
      // Known to work: a failure now is the node's, and is thrown. Not known yet: the node may not take overrides.
      if (this.transport === "override" || isTransient(error) || !(error instanceof RpcError)) throw error;
      return undefined;
    }
    let decoded: { ok: boolean[]; answers: string[] };
    try {
      decoded = BATCH.decode(String(answer)) as unknown as { ok: boolean[]; answers: string[] };
    } catch (error) {
      // A node that ignores the override answers an empty call with "0x".
      if (this.transport === "override") throw error;
      return undefined;
    }
    if (decoded.answers.length !== calls.length) {
      if (this.transport === "override")
        throw new RpcError("the view batch answered the wrong number of calls", undefined);
      return undefined;
    }
    return decoded.answers.map((a, i) => (decoded.ok[i] ? a : new RpcError(`execution reverted (${a})`, 3, a)));
  }
}
