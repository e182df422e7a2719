import { expect } from "chai";
import hre from "hardhat";
import { PERMISSIONS, ruleRoleId, selectorOf } from "../../src/authority/permissions";
import { deploySystem } from "../../src/system/deploy";
import { TRIAL_PERMISSIONS } from "../../src/trials/permissions";

describe("TrialRegistry deployment", function () {
  it("is deployed by the HealthLedger Ignition module against the consent registry, every restricted function wired", async function () {
    const system = await deploySystem(hre);
    const target = await system.trialRegistry.getAddress();
    expect(await system.trialRegistry.authority()).to.equal(await system.authority.getAddress());
    expect(await system.trialRegistry.consentVerifier()).to.equal(await system.consentRegistry.getAddress());
    for (const rule of TRIAL_PERMISSIONS) {
      expect(PERMISSIONS).to.include(rule);
      for (const signature of rule.functions) {
        expect(await system.authority.getTargetFunctionRole(target, selectorOf(signature)), signature).to.equal(
          ruleRoleId(rule),
        );
      }
    }
  });
});
