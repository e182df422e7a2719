import { expect } from "chai";
import fc from "fast-check";
import { artifacts, ethers, network } from "hardhat";
import { getAddress, id } from "ethers";
import { INTERFACES, compileView } from "../../src/audit/abi";
import {
  VIEW_BATCH_ABI,
  VIEW_BATCH_CODE,
  ViewReader,
  encodeViewBatch,
  type ViewCall,
  type ViewTransport,
} from "../../src/audit/views";
import { RpcError, type Rpc } from "../../src/chain/rpc";
import { ViewPrefetch } from "../../src/audit/checks";
import { AuditState } from "../../src/audit/state";

/** The in-process network as an {@link Rpc}, its failures as the JSON-RPC errors `httpRpc` gives. */
function inProcess(options: { batch?: boolean; overrides?: "refused" | "ignored" } = {}): Rpc & { calls: number } {
  const rpc = {
    calls: 0,
    async send(method: string, params: readonly unknown[]): Promise<unknown> {
      rpc.calls++;
      let sent = [...params];
      if (method === "eth_call" && sent.length > 2) {
        if (options.overrides === "refused") throw new RpcError("invalid params: too many arguments", -32602);
        if (options.overrides === "ignored") sent = sent.slice(0, 2);
      }
      try {
        return await network.provider.send(method, sent);
      } catch (error) {
        const e = error as { message: string; code?: number; data?: unknown };
        throw new RpcError(e.message, e.code ?? -32000, e.data);
      }
    },
    ...(options.batch !== false && {
      async batch(calls: readonly { method: string; params: readonly unknown[] }[]) {
        return Promise.all(calls.map((c) => rpc.send(c.method, c.params).catch((error: unknown) => error)));
      },
    }),
  };
  return rpc;
}

describe("audit view reads (src/audit/views.ts)", function () {
  let calls: ViewCall[];
  let expected: string[];
  let block: number;

  before(async function () {
    const anchor = await ethers.deployContract("VaultAnchor");
    await (await anchor.anchorRecords([id("a"), id("b")])).wait();
    const to = await anchor.getAddress();
    calls = ["a", "b", "never"].map((r) => ({
      to,
      data: anchor.interface.encodeFunctionData("recordAnchoredAt", [id(r)]),
    }));
    calls.push({ to, data: "0xdeadbeef" }); // no such function: reverts
    block = await ethers.provider.getBlockNumber();
    expected = await Promise.all(
      calls.slice(0, 3).map((c) => network.provider.send("eth_call", [c, ethers.toQuantity(block)]) as Promise<string>),
    );
  });

  it("holds the shipped runtime code equal to contracts/audit/ViewBatch.sol as compiled", async function () {
    const artifact = await artifacts.readArtifact("ViewBatch");
    expect(VIEW_BATCH_CODE, "copy the artifact's deployedBytecode into VIEW_BATCH_CODE").to.equal(
      artifact.deployedBytecode,
    );
  });

  it("writes read(targets, calls) exactly as ethers' ABI coder does", function () {
    const call = fc.record({
      to: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(ethers.hexlify(b))),
      data: fc.uint8Array({ maxLength: 100 }).map((b) => ethers.hexlify(b)),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 12 }), (list) => {
        const ours = encodeViewBatch(list);
        const theirs = VIEW_BATCH_ABI.encodeFunctionData("read", [list.map((c) => c.to), list.map((c) => c.data)]);
        expect(ours).to.equal(theirs);
      }),
    );
    expect(() => encodeViewBatch([{ to: "0x1234", data: "0x" }])).to.throw(TypeError, "not an address: 0x1234");
    expect(() => encodeViewBatch([{ to: calls[0].to, data: "0x123" }])).to.throw(TypeError, "not calldata");
  });

  const transports: [string, Parameters<typeof inProcess>[0], ViewTransport][] = [
    ["a node with state overrides: one eth_call per chunk", {}, "override"],
    ["a node that refuses state overrides: JSON-RPC batches", { overrides: "refused" }, "batch"],
    ["a node that ignores state overrides: JSON-RPC batches", { overrides: "ignored" }, "batch"],
    ["a node without batches or overrides: one call at a time", { overrides: "refused", batch: false }, "single"],
  ];
  for (const [title, options, transport] of transports) {
    it(`reads views in order, a revert as an RpcError in its place, from ${title}`, async function () {
      const rpc = inProcess(options);
      const reader = new ViewReader(rpc, block, 2);
      expect(reader.using).to.equal(undefined);
      const answers = await reader.read(calls);
      expect(reader.using).to.equal(transport);
      expect(answers.slice(0, 3)).to.deep.equal(expected);
      expect(answers[3]).to.be.instanceOf(RpcError);
      expect((answers[3] as RpcError).message).to.match(/revert/);
      // Two chunks of two: with overrides, two eth_calls in all.
      if (transport === "override") expect(rpc.calls).to.equal(2);
    });
  }

  it("throws a node's failure once overrides are known to work, rather than switching transport", async function () {
    const rpc = inProcess();
    const reader = new ViewReader(rpc, block);
    await reader.read(calls.slice(0, 1));
    const failing: Rpc = {
      send: () => Promise.reject(new RpcError("header not found", -32000)),
    };
    Object.assign(rpc, { send: failing.send });
    await expect(reader.read(calls.slice(0, 1))).to.be.rejectedWith(RpcError, "header not found");
    expect(reader.using).to.equal("override");
  });
});

describe("compileView (src/audit/abi.ts)", function () {
  const cases: [keyof typeof INTERFACES, string, unknown[], unknown[]][] = [
    [
      "consent",
      "consent",
      [getAddress("0x" + "11".repeat(20)), getAddress("0x" + "22".repeat(20)), id("treatment")],
      [[6, 1_700_000_000, 1_800_000_000, 3, true]],
    ],
    ["authority", "hasRole", [7n, getAddress("0x" + "33".repeat(20))], [true, 3600]],
    ["authority", "getSchedule", [id("operation")], [1_700_000_123]],
  ];
  for (const [domain, fn, args, outputs] of cases) {
    it(`encodes ${fn}'s calldata and decodes its answer as ethers does`, function () {
      const iface = INTERFACES[domain];
      const view = compileView(iface, fn);
      expect(view.encode(args)).to.equal(iface.encodeFunctionData(fn, args));
      const decoded = view.decode(iface.encodeFunctionResult(fn, outputs));
      const result = iface.decodeFunctionResult(fn, iface.encodeFunctionResult(fn, outputs));
      const fragment = iface.getFunction(fn)!;
      const fields =
        fragment.outputs.length === 1 && fragment.outputs[0].isTuple()
          ? fragment.outputs[0].components.map((c, i) => [c.name, result[0][i]] as const)
          : fragment.outputs.flatMap((o, i) => [
              [String(i), result[i]] as const,
              [o.name || String(i), result[i]] as const,
            ]);
      for (const [name, value] of fields) {
        expect(decoded[name], name).to.equal(typeof value === "boolean" ? value : String(value));
      }
    });
  }

  it("falls back to ethers' coder for an argument it does not write, and refuses an unknown function", function () {
    const iface = INTERFACES.consent;
    const view = compileView(iface, "consent");
    // A purpose as bytes rather than hex: ethers takes it, the direct writer leaves it to ethers.
    const args = ["0x" + "11".repeat(20), "0x" + "22".repeat(20), ethers.getBytes(id("x"))];
    expect(view.encode(args)).to.equal(iface.encodeFunctionData("consent", args));
    const hasRole = compileView(INTERFACES.authority, "hasRole");
    expect(() => hasRole.encode([-1n, args[1]])).to.throw(); // ethers refuses a negative uint too
    expect(() => compileView(iface, "noSuchView")).to.throw("noSuchView is not a function of this interface");
  });

  it("prefetch keeps the node reading while a full batch is queued, and sends nothing once drained", async function () {
    // Five claims, batches of two: without another page (another update), the node must still be asked for four.
    const state = new AuditState();
    const at = { block: 1, tx: id("tx"), event: "ClaimSubmitted" };
    for (let i = 0; i < 5; i++) {
      const claimId = id(`claim ${i}`);
      state.claims.set(claimId, {
        claimId,
        policyId: "1",
        provider: "",
        insurer: "",
        status: 2,
        amount: "1",
        paid: "0",
        appealed: false,
        at,
      });
    }
    const someone = (n: number) => getAddress(`0x${String(n).repeat(40)}`);
    const addresses = {
      authority: someone(1),
      consentRegistry: someone(2),
      trialRegistry: someone(3),
      drugProvenance: someone(4),
      claimsManager: someone(5),
    };
    const rpc = inProcess();
    const prefetch = new ViewPrefetch(rpc, addresses, await ethers.provider.getBlockNumber(), 2);
    await prefetch.update(state);
    for (let wait = 0; wait < 100 && prefetch.results.size < 4; wait++) await new Promise((r) => setTimeout(r, 20));
    expect(prefetch.results.size, "views answered with no further update").to.equal(4);
    await prefetch.drain();
    const asked = rpc.calls;
    state.claims.set(id("late"), { ...state.claims.get(id("claim 0"))!, claimId: id("late") });
    await prefetch.update(state);
    await new Promise((r) => setTimeout(r, 50));
    expect(rpc.calls, "a drained prefetch leaves the rest to the checks").to.equal(asked);
    expect(prefetch.results.size).to.equal(4);
  });
});
