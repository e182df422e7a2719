import { expect } from "chai";
import hre from "hardhat";
import { PERMISSIONS, selectorOf } from "../../src/authority/permissions";
import { ROLES } from "../../src/authority/roles";
import { PROVENANCE_PERMISSIONS } from "../../src/provenance";
import { deploySystem } from "../../src/system/deploy";

describe("DrugProvenance deployment", function () {
  it("is deployed by the HealthLedger Ignition module with every restricted function mapped to its role", async function () {
    const system = await deploySystem(hre);
    const target = await system.drugProvenance.getAddress();
    expect(await system.drugProvenance.authority()).to.equal(await system.authority.getAddress());
    for (const rule of PROVENANCE_PERMISSIONS) {
      expect(PERMISSIONS).to.include(rule);
      for (const signature of rule.functions) {
        expect(await system.authority.getTargetFunctionRole(target, selectorOf(signature)), signature).to.equal(
          ROLES[rule.role as keyof typeof ROLES],
        );
      }
    }
  });
});
