/**
 * `npm run bench:vault [-- --requests 4000] [--concurrency 32] [--out reports/vault-bench.json]`
 *
 * Authorised reads per second and p50/p99 latency of the record vault on loopback, with consent checked on chain
 * (a real `hardhat node` process), side by side in one run with the ceiling: a plain `node:http` server that
 * answers the same POST with the same response bytes and does nothing else. Both servers run as their own child
 * processes; this process only sends requests (pre-signed, each with its own nonce) over keep-alive connections.
 * A benchmark, not a test: it prints the table and writes reports/vault-bench.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import { PURPOSES } from "../src/consent/purposes";
import { VaultClient, signRequest, vaultDomain, type SignedRequest } from "../src/vault";
import { freePort, ROOT, waitForOutput } from "../test/shared/node";
import { LABS, grantConsent, labResult, startVaultProcess, startVaultWorld } from "../test/vault/setup";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    process.kill(child.pid!, "SIGTERM");
  });
}

/**
 * CPU seconds (user + system) used so far by a process and its descendants, from /proc (Linux); undefined elsewhere.
 * The CPU per read is the load-independent figure: on a shared machine, wall-clock rates say as much about the
 * neighbours as about the server.
 */
function cpuSeconds(root: number): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const tick = 100; // USER_HZ on Linux
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick });
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    total += stats.get(pid)?.cpu ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return total;
}

interface Result {
  requests: number;
  seconds: number;
  readsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server CPU milliseconds per request (Linux), and the reads/s one core would give at that cost. */
  serverCpuMsPerRead?: number;
  readsPerCoreSecond?: number;
}

async function load(url: string, bodies: string[], concurrency: number, server?: number): Promise<Result> {
  const cpu0 = server === undefined ? undefined : cpuSeconds(server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const one = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: hostname,
          port,
          path: "/v1/records/read",
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const t0 = process.hrtime.bigint();
      const status = await one(body);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) errors++;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  const cpu1 = server === undefined ? undefined : cpuSeconds(server);
  const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) * 1000) / bodies.length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return {
    requests: bodies.length,
    seconds: round(seconds),
    readsPerSecond: Math.round(bodies.length / seconds),
    p50Ms: round(pct(50)),
    p99Ms: round(pct(99)),
    errors,
    ...(cpuMs === undefined ? {} : { serverCpuMsPerRead: round(cpuMs), readsPerCoreSecond: Math.round(1000 / cpuMs) }),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  const requests = Number(arg("requests", "4000"));
  const concurrency = Number(arg("concurrency", "32"));
  const out = arg("out", path.join(ROOT, "reports", "vault-bench.json"));
  console.log("starting a hardhat node and deploying the system…");
  const world = await startVaultWorld();
  const children: ChildProcess[] = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "vault-bench-"));
    const startVaultChild = async (head: "fresh" | "polled") => {
      const profile = process.env.VAULT_CPU_PROF;
      const started = await startVaultProcess(world, path.join(dir, "vault.sqlite"), {
        head,
        nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [],
      });
      children.push(started.child);
      return started;
    };
    let current = await startVaultChild("fresh");
    const vaultUrl = current.url;

    const alice = new Wallet(Wallet.createRandom().privateKey);
    await grantConsent(world, world.stMarys.address, LABS, undefined, alice);
    await grantConsent(world, world.hospital2.address, LABS, undefined, alice);
    const common = {
      url: vaultUrl,
      chainId: world.chainId,
      consentRegistry: world.system.consentRegistry,
      vaultAnchor: world.anchor.connect(world.stMarys),
    };
    const stMarys = new VaultClient({ ...common, wallet: world.stMarys });
    const hospital2 = new VaultClient({ ...common, wallet: world.hospital2 });
    const resource = { ...labResult(5.4), note: "x".repeat(1500) };
    const { recordId } = await stMarys.put(resource, {
      patient: alice.address,
      categories: LABS,
      readers: [hospital2.asReader],
    });
    await hospital2.get(recordId, { patient: alice.address }); // warm and verify once

    console.log(`signing ${2 * requests + 200} read requests…`);
    const domain = vaultDomain(world.chainId, world.system.consentRegistry);
    const fields = {
      reader: world.hospital2.address,
      patient: alice.address,
      recordId,
      categories: "0",
      purpose: PURPOSES.TREATMENT,
    };
    const sign = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const signed: SignedRequest = await signRequest(world.hospital2, domain, "Read", fields, { ttlSeconds: 3600 });
        out.push(JSON.stringify(signed));
      }
      return out;
    };
    const warm = await sign(200);
    const freshBodies = await sign(requests);
    const polledBodies = await sign(requests);

    // The same response bytes the vault gives, served by the plainest server.
    const sample = await fetch(`${vaultUrl}/v1/records/read`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(await signRequest(world.hospital2, domain, "Read", fields)),
    });
    const bytes = Buffer.from(await sample.arrayBuffer());
    const bytesFile = path.join(dir, "response.json");
    writeFileSync(bytesFile, bytes);
    const staticPort = await freePort();
    const staticChild = spawn(
      process.execPath,
      [
        "-e",
        `const b=require("fs").readFileSync(${JSON.stringify(bytesFile)});require("http").createServer((q,s)=>{q.resume();q.on("end",()=>{s.writeHead(200,{"content-type":"application/json","content-length":b.length});s.end(b)})}).listen(${staticPort},"127.0.0.1",()=>console.log("static listening"))`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(staticChild);
    await waitForOutput(staticChild, /static listening/);
    staticChild.stdout?.resume();
    const staticUrl = `http://127.0.0.1:${staticPort}`;

    console.log(`measuring ${requests} reads at concurrency ${concurrency}…`);
    await load(vaultUrl, warm.slice(0, 100), concurrency);
    const ceiling = await load(staticUrl, freshBodies, concurrency, staticChild.pid);
    const fresh = await load(vaultUrl, freshBodies, concurrency, current.child.pid);
    await stop(current.child);
    current = await startVaultChild("polled");
    await load(current.url, warm.slice(100), concurrency);
    const vault = await load(current.url, polledBodies, concurrency, current.child.pid);
    const ratio = round(ceiling.readsPerSecond / vault.readsPerSecond);
    const goal = { readsPerSecond: 1000, p99Ms: 50, ratioToCeiling: 3 };
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      setup: {
        requests,
        concurrency,
        responseBytes: bytes.length,
        database: "SQLite file (WAL, synchronous=FULL)",
        chain: "hardhat node on loopback; consent checked with isAuthorized at the head block",
      },
      vault,
      vaultFreshHead: fresh,
      ceiling,
      ceilingOverVault: ratio,
      loadAverage: os.loadavg(),
      goal,
      met: {
        readsPerSecond: vault.readsPerSecond >= goal.readsPerSecond,
        p99: vault.p99Ms < goal.p99Ms,
        ratio: ratio <= goal.ratioToCeiling,
      },
    };
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
    console.log("");
    console.log(
      "| server                         | reads/s | p50 ms | p99 ms | errors | server CPU ms/read | reads per core-second |",
    );
    console.log(
      "| ------------------------------ | ------: | -----: | -----: | -----: | -----------------: | --------------------: |",
    );
    for (const [name, r] of [
      ["vault, polled head (≤1 block)", vault],
      ["vault, fresh head (0 blocks)", fresh],
      ["static node:http (ceiling)", ceiling],
    ] as const) {
      console.log(
        `| ${name.padEnd(30)} | ${r.readsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.serverCpuMsPerRead ?? "-"} | ${r.readsPerCoreSecond ?? "-"} |`,
      );
    }
    console.log(`\nceiling ÷ vault (polled): ${ratio}x (goal ≤ 3x); load average ${os.loadavg()[0].toFixed(1)}`);
    console.log(`report: ${path.relative(ROOT, out)}`);
  } finally {
    for (const child of children) await stop(child);
    await world.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:vault: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
