import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { TestToken__factory } from "../../typechain-types";
import {
  LogFetchUnavailableError,
  LogRangeError,
  collectLogs,
  headBlock,
  logPages,
  type FetchEvent,
  type RawLog,
} from "../../src/chain/logs";
import { httpRpc, isRangeRefusal, isTransient, RpcError } from "../../src/chain/rpc";
import { startHardhatNode, type HardhatNode } from "../shared/node";
import { startCappingProxy, type CappingProxy } from "./proxy";

describe("paged log fetch (src/chain/logs.ts) against a hardhat node process", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let token: string;
  let head: number;
  let all: RawLog[];

  before(async function () {
    node = await startHardhatNode();
    const provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
    const admin = await provider.getSigner(0);
    const contract = await new TestToken__factory(admin).deploy("Test", 6);
    await contract.waitForDeployment();
    token = await contract.getAddress();
    // 40 mints spread over ~6,000 blocks: gaps mined with hardhat_mine, some blocks with several logs.
    for (let i = 0; i < 40; i++) {
      await (await contract.mint(admin.address, BigInt(i + 1))).wait();
      if (i % 3 === 0) await (await contract.mint(admin.address, 1000n + BigInt(i))).wait();
      await provider.send("hardhat_mine", [`0x${(50 + ((i * 97) % 250)).toString(16)}`]);
    }
    head = Number.parseInt((await provider.send("eth_blockNumber", [])) as string, 16);
    all = await collectLogs(
      httpRpc(node.url),
      { address: token, fromBlock: 0, toBlock: head },
      { initialRange: head + 1 },
    );
    provider.destroy();
  });

  after(async () => node?.stop());

  const key = (l: RawLog) => `${l.blockNumber}:${l.logIndex}`;

  describe("logPages", function () {
    it("covers the range with contiguous pages in chain order and finds every log a single query finds", async function () {
      expect(all.length).to.equal(40 + 14);
      const pages = [];
      for await (const page of logPages(
        httpRpc(node.url),
        { address: token, fromBlock: 0, toBlock: head },
        { initialRange: 100 },
      )) {
        pages.push(page);
      }
      expect(pages[0].fromBlock).to.equal(0);
      expect(pages[pages.length - 1].toBlock).to.equal(head);
      for (let i = 1; i < pages.length; i++) expect(pages[i].fromBlock).to.equal(pages[i - 1].toBlock + 1);
      const got = pages.flatMap((p) => p.logs);
      expect(got.map(key)).to.deep.equal(all.map(key));
      // Small answers grow the range: far fewer pages than blocks / 100.
      expect(pages.length).to.be.lessThan(head / 100);
    });

    it("shrinks the range after a page with many logs (at least halved), so that pages stay small", async function () {
      const pages = [];
      for await (const page of logPages(
        httpRpc(node.url),
        { address: token, fromBlock: 0, toBlock: head },
        { initialRange: 4000, shrinkAbove: 10, growBelow: 0 },
      )) {
        pages.push(page);
      }
      expect(pages[0].toBlock).to.equal(3999);
      expect(pages[0].logs.length).to.be.greaterThan(10);
      // At most 2,000 blocks next: half, or fewer where this page's density puts 10 logs.
      expect(pages[1].fromBlock).to.equal(4000);
      expect(pages[1].toBlock).to.be.at.most(Math.min(head, 5999));
      const density = pages[0].logs.length / 4000;
      expect(pages[1].toBlock - pages[1].fromBlock + 1).to.be.at.most(Math.max(1, Math.floor(10 / density)));
      expect(pages.flatMap((p) => p.logs).map(key)).to.deep.equal(all.map(key));
    });

    context("behind a provider that caps the block range", function () {
      let proxy: CappingProxy;
      beforeEach(async () => (proxy = await startCappingProxy(node.url, { maxRange: 500 })));
      afterEach(async () => proxy.close());

      it("halves refused ranges, never grows past the cap again, and returns every log", async function () {
        const events: FetchEvent[] = [];
        const got = await collectLogs(
          httpRpc(proxy.url),
          { address: token, fromBlock: 0, toBlock: head },
          { initialRange: 4000, onEvent: (e) => events.push(e) },
        );
        expect(got.map(key)).to.deep.equal(all.map(key));
        const refusals = proxy.logQueries.filter(([, , refused]) => refused);
        expect(refusals.length).to.be.greaterThan(0);
        // After the first refusals, the ceiling holds: at most a handful of refused queries in the whole scan.
        expect(refusals.length).to.equal(3); // 4000, 2000, 1000
        expect(events.some((e) => e.kind === "refused")).to.equal(true);
        const accepted = proxy.logQueries.filter(([, , refused]) => !refused);
        for (const [from, to] of accepted) expect(to - from + 1).to.be.at.most(500);
      });

      it("splits ranges whose answer has too many results", async function () {
        proxy.maxRange = Number.MAX_SAFE_INTEGER;
        proxy.maxResults = 5;
        const got = await collectLogs(
          httpRpc(proxy.url),
          { address: token, fromBlock: 0, toBlock: head },
          { initialRange: head + 1 },
        );
        expect(got.map(key)).to.deep.equal(all.map(key));
        expect(proxy.logQueries.some(([, , refused]) => refused)).to.equal(true);
      });

      it("fails with LogRangeError, naming the block, when even one block is refused", async function () {
        proxy.maxRange = Number.MAX_SAFE_INTEGER;
        proxy.maxResults = 0;
        const first = all[0].blockNumber;
        const error = await collectLogs(httpRpc(proxy.url), {
          address: token,
          fromBlock: first,
          toBlock: first + 10,
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(LogRangeError);
        expect((error as LogRangeError).block).to.equal(first);
      });

      it("waits out an endpoint that goes away mid-scan and carries on where it was", async function () {
        const events: FetchEvent[] = [];
        const got: RawLog[] = [];
        let pages = 0;
        for await (const page of logPages(
          httpRpc(proxy.url),
          { address: token, fromBlock: 0, toBlock: head },
          { initialRange: 200, growBelow: 0, backoffMs: 100, retries: 10, onEvent: (e) => events.push(e) },
        )) {
          got.push(...page.logs);
          if (++pages === 3) {
            await proxy.down();
            setTimeout(() => void proxy.up(), 800);
          }
        }
        expect(events.some((e) => e.kind === "retry")).to.equal(true);
        expect(got.map(key)).to.deep.equal(all.map(key));
      });

      it("gives up after its retries with the block to resume from, and a second scan from there completes", async function () {
        const got: RawLog[] = [];
        let pages = 0;
        let resumeFrom = -1;
        try {
          for await (const page of logPages(
            httpRpc(proxy.url),
            { address: token, fromBlock: 0, toBlock: head },
            { initialRange: 200, growBelow: 0, backoffMs: 20, retries: 2 },
          )) {
            got.push(...page.logs);
            if (++pages === 4) await proxy.down();
          }
        } catch (error) {
          expect(error).to.be.instanceOf(LogFetchUnavailableError);
          resumeFrom = (error as LogFetchUnavailableError).resumeFrom;
        }
        expect(resumeFrom).to.equal(800);
        await proxy.up();
        got.push(...(await collectLogs(httpRpc(proxy.url), { address: token, fromBlock: resumeFrom, toBlock: head })));
        expect(got.map(key)).to.deep.equal(all.map(key));
      });
    });
  });

  describe("headBlock", function () {
    it("reads the node's latest block", async function () {
      expect(await headBlock(httpRpc(node.url))).to.equal(head);
    });
  });

  describe("error classification", function () {
    it("tells range refusals from outages from other errors", function () {
      expect(isRangeRefusal(new RpcError("query exceeds max block range 10000", -32600))).to.equal(true);
      expect(isRangeRefusal(new RpcError("query returned more than 10000 results", -32005))).to.equal(true);
      expect(
        isRangeRefusal(
          new RpcError(
            "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
            -32602,
          ),
        ),
      ).to.equal(true);
      expect(isTransient(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }))).to.equal(true);
      expect(isTransient(new RpcError("HTTP 503 from x", 503))).to.equal(true);
      expect(isTransient(new RpcError("execution reverted", 3))).to.equal(false);
      expect(isRangeRefusal(new RpcError("execution reverted", 3))).to.equal(false);
    });
  });
});
