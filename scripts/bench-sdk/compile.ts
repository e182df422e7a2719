/**
 * Transpiles the benchmark and the sources it imports to JavaScript once, so that the measuring children run on
 * plain Node: under ts-node each child would carry the TypeScript compiler (~65 MB of RSS) into its peak memory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Writes `entry` and every relative import it reaches under `outDir` (same relative paths, `.js`); returns the entry's output. */
export function transpileTree(entry: string, root: string, outDir: string): string {
  const config = ts.readConfigFile(path.join(root, "tsconfig.json"), (f) => ts.sys.readFile(f));
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root);
  const pending = [path.resolve(entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, "utf8");
    for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const resolved = [`${base}.ts`, path.join(base, "index.ts")].find((f) => existsSync(f));
      if (resolved === undefined) throw new Error(`Cannot resolve ${fileName} from ${file}`);
      pending.push(resolved);
    }
    const out = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, ".js");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(source, { compilerOptions: options, fileName: file }).outputText);
  }
  return path.join(outDir, path.relative(root, path.resolve(entry))).replace(/\.ts$/, ".js");
}
