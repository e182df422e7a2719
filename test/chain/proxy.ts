/**
 * A real JSON-RPC proxy on loopback in front of a node, that behaves like a hosted provider: it refuses `eth_getLogs`
 * over more than `maxRange` blocks (or answering more than `maxResults` logs), and can go away (stop listening) and
 * come back. Everything else is forwarded to the node unchanged. Not a mock: it models a provider's cap and outages.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface CappingProxy {
  url: string;
  /** Block ranges of every `eth_getLogs` the proxy forwarded or refused: `[from, to, refused]`. */
  logQueries: [number, number, boolean][];
  /** Count of requests by method. */
  calls: Map<string, number>;
  maxRange: number;
  maxResults: number;
  /** Stops listening and drops open connections: clients get "connection refused". */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startCappingProxy(
  upstream: string,
  options: { maxRange?: number; maxResults?: number } = {},
): Promise<CappingProxy> {
  const logQueries: [number, number, boolean][] = [];
  const calls = new Map<string, number>();
  const sockets = new Set<Socket>();
  const proxy = {
    maxRange: options.maxRange ?? Number.MAX_SAFE_INTEGER,
    maxResults: options.maxResults ?? Number.MAX_SAFE_INTEGER,
  };
  const head = async () => {
    const r = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    return Number.parseInt(((await r.json()) as { result: string }).result, 16);
  };
  const handle = async (body: string): Promise<string> => {
    const request = JSON.parse(body) as { id: unknown; method: string; params: unknown[] };
    calls.set(request.method, (calls.get(request.method) ?? 0) + 1);
    if (request.method === "eth_getLogs") {
      const filter = request.params[0] as { fromBlock?: string; toBlock?: string };
      const block = async (tag: string | undefined) =>
        tag === undefined || tag === "latest" ? head() : tag === "earliest" ? 0 : Number.parseInt(tag, 16);
      const from = await block(filter.fromBlock);
      const to = await block(filter.toBlock);
      const refused = to - from + 1 > proxy.maxRange;
      logQueries.push([from, to, refused]);
      if (refused) {
        return JSON.stringify({
          jsonrpc: "2.0",
          id: request.id,
          error: { code: -32600, message: `query exceeds max block range ${proxy.maxRange}` },
        });
      }
    }
    const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await answer.text();
    if (request.method === "eth_getLogs") {
      const parsed = JSON.parse(text) as { result?: unknown[] };
      if (parsed.result !== undefined && parsed.result.length > proxy.maxResults) {
        logQueries[logQueries.length - 1][2] = true;
        return JSON.stringify({
          jsonrpc: "2.0",
          id: request.id,
          error: { code: -32005, message: `query returned more than ${proxy.maxResults} results` },
        });
      }
    }
    return text;
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      handle(body).then(
        (text) => res.writeHead(200, { "content-type": "application/json" }).end(text),
        (error: unknown) => res.writeHead(502).end(String(error)),
      );
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    logQueries,
    calls,
    get maxRange() {
      return proxy.maxRange;
    },
    set maxRange(n: number) {
      proxy.maxRange = n;
    },
    get maxResults() {
      return proxy.maxResults;
    },
    set maxResults(n: number) {
      proxy.maxResults = n;
    },
    down: stop,
    up: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    close: stop,
  };
}
