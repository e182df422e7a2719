/**
 * `npm run build` (after `hardhat compile`): builds the package in `dist/`.
 *
 * - `dist/cjs/`: CommonJS and the `.d.ts` files, compiled by `tsc -p tsconfig.build.json` from `src/` and the
 *   TypeChain factories in `typechain-types/` (the SDK imports them as `../../typechain-types`, so the layout is
 *   kept: `dist/cjs/src/...`, `dist/cjs/typechain-types/...`).
 * - `dist/esm/`: the same sources as ES modules; Node's ESM loader needs full specifiers, so every relative import
 *   is rewritten to name its file (`./signing` -> `./signing.js`, `./consent` -> `./consent/index.js`).
 * Each folder gets a `package.json` that says its module type. The `exports` map in the root package.json names
 * the entry points (the root and one per domain).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = join(__dirname, "..", "..");
const DIST = join(ROOT, "dist");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function tsc(args: string[]): void {
  execFileSync(process.execPath, [TSC, "-p", join(ROOT, "tsconfig.build.json"), ...args], {
    cwd: ROOT,
    stdio: "inherit",
  });
}

function* jsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsFiles(path);
    else if (name.endsWith(".js")) yield path;
  }
}

/** `./x` as Node's ESM loader wants it: `./x.js` for a file, `./x/index.js` for a folder. */
export function fullSpecifier(fromFile: string, specifier: string): string {
  if (specifier.endsWith(".js") || specifier.endsWith(".json")) return specifier;
  const target = resolve(dirname(fromFile), specifier);
  if (existsSync(`${target}.js`)) return `${specifier}.js`;
  if (existsSync(join(target, "index.js"))) return `${specifier.replace(/\/$/, "")}/index.js`;
  throw new Error(`${fromFile}: cannot resolve the import "${specifier}"`);
}

const RELATIVE_IMPORT = /((?:\bfrom|\bimport)\s*\(?\s*)(["'])(\.{1,2}\/[^"']*)\2/g;

function fixEsmSpecifiers(dir: string): void {
  for (const file of jsFiles(dir)) {
    const source = readFileSync(file, "utf8");
    const fixed = source.replace(
      RELATIVE_IMPORT,
      (_m, lead: string, quote: string, spec: string) => `${lead}${quote}${fullSpecifier(file, spec)}${quote}`,
    );
    if (fixed !== source) writeFileSync(file, fixed);
  }
}

function main(): void {
  rmSync(DIST, { recursive: true, force: true });
  tsc([]);
  tsc(["--module", "es2022", "--moduleResolution", "bundler", "--outDir", "dist/esm", "--declaration", "false"]);
  fixEsmSpecifiers(join(DIST, "esm"));
  writeFileSync(join(DIST, "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  writeFileSync(join(DIST, "esm", "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  console.log(`Built ${DIST} (CommonJS, ES modules and type declarations)`);
}

if (require.main === module) main();
