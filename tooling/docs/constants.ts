import { keccak256, toUtf8Bytes } from "ethers";
import type { Artifacts } from "hardhat/types";
import { isDocumentedSource } from "./natspec";

/**
 * Generates `src/constants.ts`, the one TypeScript copy of the Solidity constants and enums (role ids, data and
 * service categories, purposes, reason codes, statuses): evaluated from the compiled AST, never typed twice.
 */

interface Node {
  nodeType: string;
  name?: string;
  [key: string]: unknown;
}

type Value = bigint | string;

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (typeof node === "object" && node !== null) {
    const n = node as Node;
    if (typeof n.nodeType === "string") visit(n);
    for (const v of Object.values(n)) if (typeof v === "object") walk(v, visit);
  }
}

/** The `@notice` of a NatSpec comment (its whole text when it has no tags), on one line. */
function docText(node: Node): string {
  const doc = node.documentation as { text?: string } | string | undefined;
  const text = typeof doc === "string" ? doc : (doc?.text ?? "");
  const notice = /@notice\s+([\s\S]*?)(?=@\w+|$)/.exec(text)?.[1] ?? (text.includes("@") ? "" : text);
  return notice.replace(/\s+/g, " ").trim();
}

/** Solidity's number units (subdenominations) in their base unit: seconds or wei. */
const UNITS: Readonly<Record<string, bigint>> = {
  seconds: 1n,
  minutes: 60n,
  hours: 3_600n,
  days: 86_400n,
  weeks: 604_800n,
  wei: 1n,
  gwei: 10n ** 9n,
  ether: 10n ** 18n,
};

/** Evaluates a constant expression of the kinds our libraries use. */
function evaluate(expr: Node, lookup: (id: number) => Value): Value {
  switch (expr.nodeType) {
    case "Literal": {
      if (expr.kind === "string") return String(expr.value);
      const text = String(expr.value).replace(/_/g, "");
      // A time or ether unit (`365 days`, `1 gwei`) multiplies the number.
      return BigInt(text) * (UNITS[String(expr.subdenomination)] ?? 1n);
    }
    case "TupleExpression":
      return evaluate((expr.components as Node[])[0], lookup);
    case "Identifier":
    case "MemberAccess": {
      const ref = expr.referencedDeclaration as number | undefined;
      if (expr.nodeType === "MemberAccess" && (expr.memberName === "max" || expr.memberName === "min")) {
        const typeName = String(((expr.expression as Node).typeDescriptions as { typeString: string }).typeString);
        const bits = BigInt(/uint(\d+)/.exec(typeName)?.[1] ?? "256");
        return expr.memberName === "max" ? (1n << bits) - 1n : 0n;
      }
      if (ref === undefined) throw new Error(`cannot evaluate ${expr.nodeType} ${expr.name ?? expr.memberName}`);
      return lookup(ref);
    }
    case "FunctionCall": {
      const callee = expr.expression as Node;
      const args = expr.arguments as Node[];
      if (callee.nodeType === "Identifier" && callee.name === "keccak256") {
        return keccak256(toUtf8Bytes(evaluate(args[0], lookup) as string));
      }
      if (callee.nodeType === "ElementaryTypeNameExpression") return evaluate(args[0], lookup);
      throw new Error(`cannot evaluate a call to ${callee.name ?? callee.nodeType}`);
    }
    case "BinaryOperation": {
      const a = evaluate(expr.leftExpression as Node, lookup) as bigint;
      const b = evaluate(expr.rightExpression as Node, lookup) as bigint;
      const ops: Record<string, (x: bigint, y: bigint) => bigint> = {
        "<<": (x, y) => x << y,
        ">>": (x, y) => x >> y,
        "|": (x, y) => x | y,
        "&": (x, y) => x & y,
        "+": (x, y) => x + y,
        "-": (x, y) => x - y,
        "*": (x, y) => x * y,
        "/": (x, y) => x / y,
        "**": (x, y) => x ** y,
      };
      const op = ops[String(expr.operator)];
      if (op === undefined) throw new Error(`cannot evaluate operator ${String(expr.operator)}`);
      return op(a, b);
    }
    default:
      throw new Error(`cannot evaluate a ${expr.nodeType}`);
  }
}

function literal(value: Value, typeName: string): string {
  if (typeof value === "string") return JSON.stringify(value);
  const bits = Number(/^uint(\d+)$/.exec(typeName)?.[1] ?? 256);
  return bits <= 32 ? value.toString() : `${value}n`;
}

/** A library's public constants or an interface's enum, read from the compiled AST. */
export interface ConstantGroup {
  kind: "library" | "enum";
  name: string;
  sourceName: string;
  notice: string;
  details: string;
  entries: { name: string; value: Value; typeName: string; notice: string }[];
}

/** The `@dev` of a NatSpec comment, on one line. */
function devText(node: Node): string {
  const doc = node.documentation as { text?: string } | string | undefined;
  const text = typeof doc === "string" ? doc : (doc?.text ?? "");
  return (/@dev\s+([\s\S]*?)(?=@\w+|$)/.exec(text)?.[1] ?? "").replace(/\s+/g, " ").trim();
}

/** Every library constant group and enum of the deployable sources, in source order. */
export async function collectConstants(artifacts: Artifacts): Promise<ConstantGroup[]> {
  // Each source with the AST ids of the compilation job it came from (ids are unique only within one job).
  const sources = new Map<string, { ast: Node; lookup: (id: number) => Value }>();
  const jobs = new Map<string, (id: number) => Value>();
  for (const fqn of await artifacts.getAllFullyQualifiedNames()) {
    const sourceName = fqn.split(":")[0];
    if (!isDocumentedSource(sourceName) || sources.has(sourceName)) continue;
    const buildInfo = (await artifacts.getBuildInfo(fqn))!;
    let lookup = jobs.get(buildInfo.id);
    if (lookup === undefined) {
      const byId = new Map<number, Node>();
      for (const source of Object.values(buildInfo.output.sources))
        walk(source.ast, (n) => byId.set(n.id as number, n));
      const values = new Map<number, Value>();
      const evaluateDeclaration = (id: number): Value => {
        if (!values.has(id)) {
          const decl = byId.get(id);
          if (decl?.value === undefined) throw new Error(`cannot evaluate ${decl?.nodeType} ${decl?.name} (${id})`);
          values.set(id, evaluate(decl.value as Node, evaluateDeclaration));
        }
        return values.get(id)!;
      };
      lookup = evaluateDeclaration;
      jobs.set(buildInfo.id, lookup);
    }
    sources.set(sourceName, { ast: buildInfo.output.sources[sourceName].ast as Node, lookup });
  }

  const groups: ConstantGroup[] = [];
  for (const [sourceName, { ast, lookup }] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    walk(ast, (n) => {
      if (n.nodeType === "ContractDefinition" && n.contractKind === "library") {
        const constants = (n.nodes as Node[]).filter(
          (c) => c.nodeType === "VariableDeclaration" && c.constant === true && !String(c.name).startsWith("_"),
        );
        if (constants.length === 0) return;
        groups.push({
          kind: "library",
          name: String(n.name),
          sourceName,
          notice: docText(n),
          details: devText(n),
          entries: constants.map((c) => ({
            name: String(c.name),
            value: lookup(c.id as number),
            typeName: String((c.typeName as Node).name),
            notice: docText(c),
          })),
        });
      }
      if (n.nodeType === "EnumDefinition") {
        groups.push({
          kind: "enum",
          name: String(n.name),
          sourceName,
          notice: docText(n),
          details: devText(n),
          entries: (n.members as Node[]).map((m, i) => ({
            name: String(m.name),
            value: BigInt(i),
            typeName: "uint8",
            notice: "",
          })),
        });
      }
    });
  }
  return groups;
}

async function formatted(text: string, file: string, parser: string): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, parser });
}

/** Renders `src/constants.ts` from the compiled contracts. */
export async function renderConstants(artifacts: Artifacts): Promise<string> {
  const out: string[] = [
    "// Generated by `npm run docs` from the Solidity libraries and interfaces in contracts/. Do not edit by hand:",
    "// a test regenerates it and fails when it differs. Each object has the library's name; each enum the interface's.",
    "",
  ];
  for (const g of await collectConstants(artifacts)) {
    out.push(`/** ${g.notice || g.name} (\`${g.sourceName}\`) */`);
    if (g.kind === "library") {
      out.push(`export const ${g.name} = {`);
      for (const e of g.entries) {
        if (e.notice) out.push(`  /** ${e.notice} */`);
        out.push(`  ${e.name}: ${literal(e.value, e.typeName)},`);
      }
      out.push("} as const;", "");
    } else {
      out.push(`export enum ${g.name} {`);
      for (const e of g.entries) out.push(`  ${e.name} = ${e.value},`);
      out.push("}", "");
    }
  }
  return formatted(out.join("\n"), "src/constants.ts", "typescript");
}

/** docs/enums.md: every enum with its numbers (the ABI says only `uint8`), and every code table. */
export async function renderEnumsDoc(artifacts: Artifacts): Promise<string> {
  const groups = await collectConstants(artifacts);
  const cell = (t: string) => t.replace(/\|/g, "\\|") || "—";
  const show = (v: Value, typeName: string) =>
    typeof v === "string"
      ? `\`${v.startsWith("0x") ? v : JSON.stringify(v)}\``
      : typeName === "uint256" && v > 0xffffn
        ? `\`0x${v.toString(16)}\``
        : `${v}`;
  const out = [
    "# Enums and codes",
    "",
    "<!-- Generated by `npm run docs` from the contracts' AST and NatSpec. Do not edit: a test compares. -->",
    "",
    "The ABI gives an enum as a bare `uint8` and a code as a bare integer: these tables say what each number means.",
    "TypeScript gets the same values from `src/constants.ts`, generated from the same source.",
    "",
    "## Enums",
    "",
  ];
  for (const g of groups.filter((x) => x.kind === "enum")) {
    out.push(`### \`${g.name}\` (${g.sourceName.split("/").pop()})`, "");
    if (g.notice) out.push(g.notice, "");
    if (g.details) out.push(g.details, "");
    out.push("| value | name |", "|---:|---|", ...g.entries.map((e) => `| ${e.value} | ${e.name} |`), "");
  }
  out.push("## Codes and constants", "");
  for (const g of groups.filter((x) => x.kind === "library")) {
    out.push(`### \`${g.name}\` (${g.sourceName.split("/").pop()})`, "");
    if (g.notice) out.push(g.notice, "");
    out.push(
      "| name | value | meaning |",
      "|---|---|---|",
      ...g.entries.map((e) => `| ${e.name} | ${show(e.value, e.typeName)} | ${cell(e.notice)} |`),
      "",
    );
  }
  return formatted(out.join("\n"), "docs/enums.md", "markdown");
}
