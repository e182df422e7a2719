import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { renderRolesDoc } from "../../src/authority/permissions";
import { renderConstants, renderEnumsDoc } from "./constants";
import { collectSystemDocs } from "./natspec";
import { renderErrors, renderEvents } from "./render";

/** Every generated document, path (relative to the project root) → content. */
export async function generatedDocs(hre: HardhatRuntimeEnvironment): Promise<Record<string, string>> {
  const docs = await collectSystemDocs(hre.artifacts);
  return {
    "docs/events.md": renderEvents(docs),
    "docs/errors.md": renderErrors(docs),
    "docs/roles.md": renderRolesDoc(),
    "docs/enums.md": await renderEnumsDoc(hre.artifacts),
    "src/constants.ts": await renderConstants(hre.artifacts),
  };
}

/** Writes the generated documents, or with `check` fails listing the ones that are out of date. */
export async function runDocsCli(hre: HardhatRuntimeEnvironment, args: { check: boolean }): Promise<void> {
  await hre.run("compile", { quiet: true });
  const stale: string[] = [];
  for (const [file, content] of Object.entries(await generatedDocs(hre))) {
    const full = path.join(hre.config.paths.root, file);
    const current = await readFile(full, "utf8").catch(() => "");
    if (current === content) continue;
    if (args.check) stale.push(file);
    else {
      await writeFile(full, content);
      console.log(`wrote ${file}`);
    }
  }
  if (stale.length > 0) throw new Error(`Out of date: ${stale.join(", ")}. Run \`npm run docs\` and commit.`);
}
