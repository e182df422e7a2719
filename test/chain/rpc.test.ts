import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcError, httpRpc } from "../../src/chain/rpc";

type Request = { id: number; method: string; params: unknown[] };

/** A JSON-RPC server on loopback that answers each request with `answer` (undefined: leaves it out of the batch). */
async function serve(answer: (request: Request) => object | undefined): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const parsed = JSON.parse(body) as Request | Request[];
      const out = Array.isArray(parsed)
        ? parsed
            .map((r) => answer(r) && { jsonrpc: "2.0", id: r.id, ...answer(r) })
            .filter(Boolean)
            .reverse()
        : { jsonrpc: "2.0", id: parsed.id, ...answer(parsed) };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("httpRpc (src/chain/rpc.ts)", function () {
  describe("batch", function () {
    it("puts each answer in its call's place, an error answer and a missing answer as RpcErrors", async function () {
      const { url, server } = await serve((r) =>
        r.params[0] === "skip"
          ? undefined
          : r.params[0] === "fail"
            ? { error: { code: 3, message: "execution reverted", data: "0x08c379a0" } }
            : { result: `answer to ${String(r.params[0])}` },
      );
      try {
        const rpc = httpRpc(url);
        const answers = await rpc.batch(["a", "fail", "skip", "b"].map((p) => ({ method: "eth_call", params: [p] })));
        expect(answers[0]).to.equal("answer to a");
        expect(answers[3]).to.equal("answer to b");
        expect(answers[1]).to.be.instanceOf(RpcError);
        expect([(answers[1] as RpcError).code, (answers[1] as RpcError).data]).to.deep.equal([3, "0x08c379a0"]);
        expect(answers[2]).to.be.instanceOf(RpcError);
        expect((answers[2] as RpcError).message).to.equal("no answer in the batch");
        expect(await rpc.batch([])).to.deep.equal([]);
      } finally {
        server.close();
      }
    });
  });
});
