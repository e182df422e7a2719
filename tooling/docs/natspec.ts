import type { Artifacts } from "hardhat/types";

/** One event or error of the system, with its NatSpec and the public functions that emit or raise it. */
export interface AbiItemDoc {
  name: string;
  /** Canonical signature, e.g. `ConsentGranted(address,address,bytes32)`. */
  signature: string;
  /** Contracts (deployable, outside contracts/test) whose ABI contains it. */
  contracts: string[];
  inputs: { name: string; type: string; indexed: boolean; doc: string }[];
  notice: string;
  details: string;
  /** `Contract.function` entries that emit (events) or revert with (errors) it, directly or through internals. */
  raisedBy: string[];
}

export interface SystemDocs {
  events: AbiItemDoc[];
  errors: AbiItemDoc[];
}

interface AbiParam {
  name: string;
  type: string;
  indexed?: boolean;
  components?: AbiParam[];
}
interface AbiEntry {
  type: string;
  name?: string;
  inputs?: AbiParam[];
}
interface NatspecEntry {
  notice?: string;
  details?: string;
  params?: Record<string, string>;
}
interface AstNode {
  id: number;
  nodeType: string;
  name?: string;
  kind?: string;
  visibility?: string;
  referencedDeclaration?: number;
  baseContracts?: { baseName: { referencedDeclaration: number } }[];
  linearizedBaseContracts?: number[];
  [key: string]: unknown;
}

/** A contract is documented when it is compiled from contracts/ but not from contracts/test/ or an interface. */
export function isDocumentedSource(sourceName: string): boolean {
  return sourceName.startsWith("contracts/") && !sourceName.startsWith("contracts/test/");
}

function canonicalType(p: AbiParam): string {
  if (!p.type.startsWith("tuple")) return p.type;
  return `(${(p.components ?? []).map(canonicalType).join(",")})${p.type.slice("tuple".length)}`;
}

function signatureOf(entry: AbiEntry): string {
  return `${entry.name}(${(entry.inputs ?? []).map(canonicalType).join(",")})`;
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    node.forEach((n) => walk(n, visit));
  } else if (typeof node === "object" && node !== null) {
    const n = node as AstNode;
    if (typeof n.nodeType === "string") visit(n);
    for (const value of Object.values(n)) if (typeof value === "object") walk(value, visit);
  }
}

/**
 * Reads the events and errors of every deployable contract from the compiler output (ABI, NatSpec, AST), and
 * works out from the AST which external functions emit each event or revert with each error.
 */
export async function collectSystemDocs(artifacts: Artifacts): Promise<SystemDocs> {
  const names = (await artifacts.getAllFullyQualifiedNames()).filter((fqn) => isDocumentedSource(fqn.split(":")[0]));
  const events = new Map<string, AbiItemDoc>();
  const errors = new Map<string, AbiItemDoc>();

  for (const fqn of names) {
    const [sourceName, contractName] = fqn.split(":");
    const buildInfo = await artifacts.getBuildInfo(fqn);
    if (buildInfo === undefined) throw new Error(`No build info for ${fqn}: run \`npx hardhat compile\``);
    const output = buildInfo.output.contracts[sourceName][contractName] as unknown as {
      abi: AbiEntry[];
      devdoc?: { events?: Record<string, NatspecEntry>; errors?: Record<string, NatspecEntry[]> };
      userdoc?: { events?: Record<string, NatspecEntry>; errors?: Record<string, NatspecEntry[]> };
    };
    const ast = buildInfo.output.sources;
    const contractNode = findContract(ast, sourceName, contractName);
    if (contractNode === undefined || contractNode.contractKind !== "contract" || contractNode.abstract === true)
      continue;
    const raisers = raisersOf(ast, contractNode);

    for (const entry of output.abi) {
      if (entry.type !== "event" && entry.type !== "error") continue;
      const signature = signatureOf(entry);
      const target = entry.type === "event" ? events : errors;
      const dev = entry.type === "event" ? output.devdoc?.events?.[signature] : output.devdoc?.errors?.[signature]?.[0];
      const user =
        entry.type === "event" ? output.userdoc?.events?.[signature] : output.userdoc?.errors?.[signature]?.[0];
      const existing = target.get(signature);
      const doc: AbiItemDoc = existing ?? {
        name: entry.name ?? "",
        signature,
        contracts: [],
        inputs: (entry.inputs ?? []).map((p) => ({
          name: p.name,
          type: canonicalType(p),
          indexed: p.indexed === true,
          doc: dev?.params?.[p.name] ?? "",
        })),
        notice: user?.notice ?? "",
        details: dev?.details ?? "",
        raisedBy: [],
      };
      doc.contracts.push(contractName);
      const by = raisers.get(`${entry.type}:${entry.name}`) ?? [];
      doc.raisedBy.push(...by.map((f) => `${contractName}.${f}`));
      target.set(signature, doc);
    }
  }
  const sorted = (m: Map<string, AbiItemDoc>) =>
    [...m.values()]
      .map((d) => ({ ...d, contracts: [...new Set(d.contracts)].sort(), raisedBy: [...new Set(d.raisedBy)].sort() }))
      .sort((a, b) => a.contracts[0].localeCompare(b.contracts[0]) || a.name.localeCompare(b.name));
  return { events: sorted(events), errors: sorted(errors) };
}

type Sources = Record<string, { ast: unknown }>;

function findContract(sources: Sources, sourceName: string, contractName: string): AstNode | undefined {
  let found: AstNode | undefined;
  walk(sources[sourceName].ast, (n) => {
    if (n.nodeType === "ContractDefinition" && n.name === contractName) found = n;
  });
  return found;
}

/**
 * For each `event:Name` / `error:Name`, the external or public functions of `contract` (including inherited
 * ones) that emit or revert with it, following internal calls and modifiers transitively.
 */
function raisersOf(sources: Sources, contract: AstNode): Map<string, string[]> {
  const byId = new Map<number, AstNode>();
  for (const s of Object.values(sources)) walk(s.ast, (n) => byId.set(n.id, n));

  // Direct facts per function/modifier: what it emits/reverts with, and which functions/modifiers it calls.
  const direct = new Map<number, { raises: Set<string>; calls: Set<number> }>();
  const bases = (contract.linearizedBaseContracts ?? []).map((id) => byId.get(id)).filter(Boolean) as AstNode[];
  for (const base of bases) {
    walk(base.nodes, (fn) => {
      if (fn.nodeType !== "FunctionDefinition" && fn.nodeType !== "ModifierDefinition") return;
      const facts = { raises: new Set<string>(), calls: new Set<number>() };
      walk(fn.body, (n) => {
        if (n.nodeType === "EmitStatement") {
          const decl = byId.get(refOf(n.eventCall));
          if (decl?.name) facts.raises.add(`event:${decl.name}`);
        } else if (n.nodeType === "RevertStatement") {
          const decl = byId.get(refOf(n.errorCall));
          if (decl?.name) facts.raises.add(`error:${decl.name}`);
        } else if (n.nodeType === "FunctionCall" && ROLE_CHECKS.has(calleeName(n))) {
          const role = roleArgument(n);
          if (role !== undefined) facts.raises.add(`role:${role}`);
        }
        if ((n.nodeType === "Identifier" || n.nodeType === "MemberAccess") && n.referencedDeclaration) {
          const decl = byId.get(n.referencedDeclaration);
          if (decl?.nodeType === "FunctionDefinition" || decl?.nodeType === "ModifierDefinition") {
            // `super.f()` calls exactly the base's f; any other call resolves to the most derived override.
            const base = n.expression as AstNode | undefined;
            const isSuper = n.nodeType === "MemberAccess" && base?.nodeType === "Identifier" && base.name === "super";
            facts.calls.add(isSuper ? -decl.id - 1 : decl.id);
          }
        }
      });
      for (const m of (fn.modifiers as { modifierName: { referencedDeclaration?: number } }[] | undefined) ?? []) {
        if (m.modifierName.referencedDeclaration) facts.calls.add(m.modifierName.referencedDeclaration);
        if (byId.get(m.modifierName.referencedDeclaration ?? -1)?.name === "restricted") facts.raises.add("restricted");
      }
      direct.set(fn.id, facts);
    });
  }

  const memo = new Map<number, Set<string>>();
  const closure = (id: number, stack: Set<number>): Set<string> => {
    const cached = memo.get(id);
    if (cached) return cached;
    const facts = direct.get(id);
    const out = new Set<string>(facts?.raises ?? []);
    if (facts && !stack.has(id)) {
      stack.add(id);
      for (const callee of facts.calls) {
        for (const r of closure(callee < 0 ? -callee - 1 : overrideOf(callee), stack)) out.add(r);
      }
      stack.delete(id);
    }
    memo.set(id, out);
    return out;
  };
  // A call to a virtual function resolves to the most derived override with the same name and parameters.
  const overrideOf = (id: number): number => {
    const fn = byId.get(id);
    if (fn?.nodeType !== "FunctionDefinition") return id;
    for (const base of bases) {
      for (const n of (base.nodes as AstNode[]) ?? []) {
        if (n.nodeType === "FunctionDefinition" && n.name === fn.name && n.functionSelector === fn.functionSelector) {
          return n.id;
        }
      }
    }
    return id;
  };

  const result = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const base of bases) {
    for (const fn of (base.nodes as AstNode[]) ?? []) {
      const isEntry =
        fn.nodeType === "FunctionDefinition" &&
        (fn.visibility === "external" || fn.visibility === "public") &&
        (fn.kind === "function" || fn.kind === "constructor");
      const label = fn.kind === "constructor" ? "constructor" : (fn.name ?? "");
      if (!isEntry || seen.has(label)) continue;
      seen.add(label);
      for (const r of closure(fn.id, new Set())) result.set(r, [...(result.get(r) ?? []), label]);
    }
    // Constructors are not external but emit events at deployment.
    for (const fn of (base.nodes as AstNode[]) ?? []) {
      if (fn.nodeType === "FunctionDefinition" && fn.kind === "constructor") {
        for (const r of closure(fn.id, new Set())) {
          const list = result.get(r) ?? [];
          if (!list.includes("constructor")) result.set(r, [...list, "constructor"]);
        }
      }
    }
  }
  return result;
}

/** The role-check helpers of `HealthLedgerManaged`; their first argument names the role (`Roles.X`). */
const ROLE_CHECKS = new Set(["_hasRole", "_requireRole"]);

function calleeName(call: AstNode): string {
  const callee = call.expression as AstNode | undefined;
  return (callee?.nodeType === "Identifier" ? callee.name : undefined) ?? "";
}

/** `X` of a role check's first argument `Roles.X`; undefined when the argument is not a `Roles` constant. */
function roleArgument(call: AstNode): string | undefined {
  const arg = (call.arguments as AstNode[] | undefined)?.[0];
  const base = arg?.expression as AstNode | undefined;
  if (arg?.nodeType !== "MemberAccess" || base?.nodeType !== "Identifier" || base.name !== "Roles") return undefined;
  return arg.memberName as string;
}

/** What one state-changing external function of a deployable contract enforces, read from the compiled AST. */
export interface FunctionAccess {
  contract: string;
  /** Canonical signature, e.g. `dispense(bytes32,uint256,string,bytes32[])`. */
  signature: string;
  /** Whether it carries OpenZeppelin's `restricted` modifier (the authority checks the role). */
  restricted: boolean;
  /** Role names it checks itself through `_hasRole` / `_requireRole(Roles.X, …)`, directly or through internals. */
  roles: string[];
  /** Whether the function is declared in an OpenZeppelin base (e.g. `setAuthority`) rather than in our code. */
  inherited: boolean;
}

/**
 * Every state-changing external function of every deployable Health Ledger domain contract, with the access rules
 * it enforces, so that a test can compare them with the permission table.
 */
export async function collectAccessFacts(artifacts: Artifacts): Promise<FunctionAccess[]> {
  const names = (await artifacts.getAllFullyQualifiedNames()).filter((fqn) => isDocumentedSource(fqn.split(":")[0]));
  const result: FunctionAccess[] = [];
  for (const fqn of names) {
    const [sourceName, contractName] = fqn.split(":");
    const buildInfo = await artifacts.getBuildInfo(fqn);
    if (buildInfo === undefined) throw new Error(`No build info for ${fqn}: run \`npx hardhat compile\``);
    const ast = buildInfo.output.sources;
    const contractNode = findContract(ast, sourceName, contractName);
    if (contractNode === undefined || contractNode.contractKind !== "contract" || contractNode.abstract === true)
      continue;
    const facts = raisersOf(ast, contractNode);
    const abi = (buildInfo.output.contracts[sourceName][contractName] as unknown as { abi: AbiEntry[] }).abi;
    const origin = functionOrigins(ast, contractNode);
    for (const entry of abi) {
      const mutability = (entry as { stateMutability?: string }).stateMutability;
      if (entry.type !== "function" || mutability === "view" || mutability === "pure") continue;
      const name = entry.name ?? "";
      const has = (fact: string) => (facts.get(fact) ?? []).includes(name);
      result.push({
        contract: contractName,
        signature: signatureOf(entry),
        restricted: has("restricted"),
        roles: [...facts.keys()]
          .filter((k) => k.startsWith("role:") && has(k))
          .map((k) => k.slice(5))
          .sort(),
        inherited: origin.get(name)?.startsWith("@openzeppelin/") ?? false,
      });
    }
  }
  return result;
}

/** Function name → source unit that declares it, for the external functions of `contract` and its bases. */
function functionOrigins(sources: Sources, contract: AstNode): Map<string, string> {
  const origin = new Map<string, string>();
  for (const [sourceName, source] of Object.entries(sources)) {
    walk(source.ast, (n) => {
      if (n.nodeType !== "ContractDefinition" || !(contract.linearizedBaseContracts ?? []).includes(n.id)) return;
      for (const fn of (n.nodes as AstNode[]) ?? []) {
        if (fn.nodeType === "FunctionDefinition" && fn.name && !origin.has(fn.name)) origin.set(fn.name, sourceName);
      }
    });
  }
  return origin;
}

function refOf(node: unknown): number {
  const call = node as { expression?: { referencedDeclaration?: number } };
  return call.expression?.referencedDeclaration ?? -1;
}
