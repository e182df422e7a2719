/**
 * `npm run check:package`: the package as a dApp team gets it. Builds and packs it (`npm pack`), installs the
 * tarball into an empty temporary project whose other packages come from the npm registry, then, against a
 * separate `hardhat node` process with the system deployed on it:
 * - `consumer.ts` (ethers v6, CommonJS), type-checked with `tsc --strict` against the shipped `.d.ts`, then run;
 * - `consumer.mjs` (viem, plain Node ES module), run as is.
 * Both commit a FHIR Consent, sign and relay the grant, and read the consent back. The node is stopped by its
 * process id; the temporary project is removed unless `--keep` is given.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployOnNode, startHardhatNode, type HardhatNode } from "../../test/shared/node";

const ROOT = join(__dirname, "..", "..");
const CONSUMER = join(__dirname, "consumer");

/** Versions the consumer installs: the ones this repository is built and tested with. */
function installedVersion(name: string): string {
  const manifest = readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: "pipe" });
}

function step(message: string): void {
  console.log(`check:package: ${message}`);
}

async function main(): Promise<void> {
  const keep = process.argv.includes("--keep");
  if (!process.argv.includes("--no-build")) {
    step("building (npm run build)");
    run("npm", ["run", "--silent", "build"], ROOT);
  }
  const project = mkdtempSync(join(tmpdir(), "health-ledger-consumer-"));
  let node: HardhatNode | undefined;
  try {
    step(`packing into ${project}`);
    run("npm", ["pack", "--silent", "--pack-destination", project], ROOT);
    const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) throw new Error("npm pack wrote no tarball");

    writeFileSync(
      join(project, "package.json"),
      `${JSON.stringify({ name: "health-ledger-consumer", private: true, type: "commonjs" }, null, 2)}\n`,
    );
    const packages = ["ethers", "viem", "typescript", "@types/node"].map((p) => `${p}@${installedVersion(p)}`);
    step(`installing ${tarball} with ${packages.join(", ")} from the registry`);
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", `./${tarball}`, ...packages],
      project,
    );
    for (const file of ["consumer.ts", "consumer.mjs"]) copyFileSync(join(CONSUMER, file), join(project, file));

    step("type-checking consumer.ts with tsc --strict");
    run(
      process.execPath,
      [
        join(project, "node_modules", "typescript", "bin", "tsc"),
        "--strict",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--types",
        "node",
        "--outDir",
        "out",
        "consumer.ts",
      ],
      project,
    );

    step("starting a hardhat node and deploying the system on it");
    node = await startHardhatNode();
    const system = await deployOnNode(node.url);
    const env = { HEALTH_LEDGER_NODE_URL: node.url, HEALTH_LEDGER_ADDRESSES: JSON.stringify(system) };
    for (const [label, script] of [
      ["consumer.ts (ethers, CommonJS)", join("out", "consumer.js")],
      ["consumer.mjs (viem, ES module)", "consumer.mjs"],
    ]) {
      const out = run(process.execPath, [script], project, env).trim().split("\n").pop() ?? "";
      const result = JSON.parse(out) as { relayedVersion: string; storedVersion: string };
      if (result.relayedVersion !== "1" || result.storedVersion !== "1") {
        throw new Error(`${label} read back version ${result.storedVersion}, expected 1: ${out}`);
      }
      step(`${label}: signed, relayed and read back a consent (${out})`);
    }
    step("passed");
  } finally {
    await node?.stop();
    if (keep) step(`kept ${project}`);
    else rmSync(project, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const stderr = (error as { stderr?: string }).stderr;
  console.error(`check:package failed: ${error instanceof Error ? error.message : String(error)}`);
  if (stderr) console.error(stderr);
  process.exitCode = 1;
});
