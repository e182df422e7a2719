import { expect } from "chai";
import hre from "hardhat";
import { authorityRules, PERMISSIONS } from "../../src/authority/permissions";
import { ruleRoleId, selectorOf } from "../../src/authority/rules";
import { collectAccessFacts, type FunctionAccess } from "../../tooling/docs/natspec";
import { deploySystem } from "../../tooling/deploy";

/** The domain contracts' state-changing functions that the table must cover (the authority's are AccessManager's). */
async function domainFunctions(): Promise<FunctionAccess[]> {
  await hre.run("compile", { quiet: true });
  return (await collectAccessFacts(hre.artifacts)).filter(
    (f) => f.contract !== "HealthLedgerAuthority" && !f.inherited,
  );
}

function rowsOf(f: FunctionAccess) {
  return PERMISSIONS.filter((r) => r.contract === f.contract && r.functions.includes(f.signature));
}

describe("The permission table", function () {
  it("has exactly one row for every state-changing function of every domain contract", async function () {
    const functions = await domainFunctions();
    const missing = functions.filter((f) => rowsOf(f).length !== 1).map((f) => `${f.contract}.${f.signature}`);
    expect(missing, "functions without exactly one row").to.deep.equal([]);
    const known = new Set(functions.map((f) => `${f.contract}.${f.signature}`));
    const stale = PERMISSIONS.flatMap((r) => r.functions.map((s) => `${r.contract}.${s}`)).filter((s) => !known.has(s));
    expect(stale, "rows naming no function").to.deep.equal([]);
  });

  it("marks `authority` exactly the `restricted` functions, each with one role", async function () {
    for (const f of await domainFunctions()) {
      const [row] = rowsOf(f);
      expect(row.enforcedBy === "authority", `${f.contract}.${f.signature} is restricted: ${f.restricted}`).to.equal(
        f.restricted,
      );
      if (f.restricted) expect(row.roles, `${f.contract}.${f.signature}`).to.have.length(1);
    }
  });

  it("declares every role a contract checks itself, and no role it does not check", async function () {
    for (const f of (await domainFunctions()).filter((g) => !g.restricted)) {
      const [row] = rowsOf(f);
      const declared = row.roles[0] === "PUBLIC" ? [] : [...row.roles].sort();
      expect(f.roles, `${f.contract}.${f.signature}: roles checked vs declared`).to.deep.equal(declared);
    }
  });

  it("is what the Ignition deployment maps in the authority", async function () {
    const system = await deploySystem(hre);
    const addresses: Record<string, string> = {
      ConsentRegistry: await system.consentRegistry.getAddress(),
      DrugProvenance: await system.drugProvenance.getAddress(),
      TrialRegistry: await system.trialRegistry.getAddress(),
      ClaimsManager: await system.claimsManager.getAddress(),
    };
    for (const rule of authorityRules()) {
      for (const signature of rule.functions) {
        const role = await system.authority.getTargetFunctionRole(addresses[rule.contract], selectorOf(signature));
        expect(role, `${rule.contract}.${signature}`).to.equal(ruleRoleId(rule));
      }
    }
    for (const contract of [
      system.consentRegistry,
      system.drugProvenance,
      system.trialRegistry,
      system.claimsManager,
    ]) {
      expect(await contract.authority()).to.equal(await system.authority.getAddress());
    }
    expect(await system.trialRegistry.consentVerifier()).to.equal(addresses.ConsentRegistry);
    expect(await system.claimsManager.consentVerifier()).to.equal(addresses.ConsentRegistry);
  });
});
