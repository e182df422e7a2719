import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import {
  adminCall,
  grantRoles,
  renderRolesDoc,
  selectorOf,
  setAdminDelay,
  wirePermissions,
  type FunctionRule,
} from "../../src/authority/permissions";
import { PUBLIC_ROLE, ROLES, ROLE_NAMES, roleId, roleLabel } from "../../src/authority/roles";
import { deploySystem } from "../../tooling/deploy";

const RULES: FunctionRule[] = [
  { contract: "RestrictedTarget", functions: ["ping()"], enforcedBy: "authority", roles: ["PROVIDER"], why: "test" },
  { contract: "RestrictedTarget", functions: ["pingTwice()"], enforcedBy: "authority", roles: ["PUBLIC"], why: "t" },
  { contract: "RestrictedTarget", functions: ["pings()"], enforcedBy: "contract", roles: ["PUBLIC"], why: "skipped" },
];
/** The guardian-proof delay of the test authorities. */
const PROOF = 30 * 86_400;

async function deployFixture() {
  const [admin, guardian, provider, stranger] = await ethers.getSigners();
  const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address, PROOF]);
  const target = await ethers.deployContract("RestrictedTarget", [await authority.getAddress()]);
  await grantRoles(authority, [
    { role: "GUARDIAN", account: guardian.address },
    { role: "PROVIDER", account: provider.address },
  ]);
  return { authority, target, admin, guardian, provider, stranger };
}

describe("HealthLedgerAuthority", function () {
  describe("roles", function () {
    it("defines exactly the role ids and labels mirrored in src/authority/roles.ts", async function () {
      const { authority } = await loadFixture(deployFixture);
      const [ids, labels] = await authority.roles();
      expect(labels).to.deep.equal(ROLE_NAMES);
      expect(ids).to.deep.equal(ROLE_NAMES.map((n) => ROLES[n]));
    });

    it("labels every role in RoleLabel events at deployment", async function () {
      const [admin] = await ethers.getSigners();
      const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address, PROOF]);
      const logs = await authority.queryFilter(authority.filters.RoleLabel());
      expect(logs.map((l) => [l.args.roleId, l.args.label])).to.deep.equal(ROLE_NAMES.map((n) => [ROLES[n], n]));
    });

    it("makes GUARDIAN the guardian of every role, ADMIN included", async function () {
      const { authority } = await loadFixture(deployFixture);
      for (const name of ROLE_NAMES) expect(await authority.getRoleGuardian(ROLES[name])).to.equal(ROLES.GUARDIAN);
    });

    it("rejects a zero initial admin", async function () {
      const factory = await ethers.getContractFactory("HealthLedgerAuthority");
      await expect(factory.deploy(ethers.ZeroAddress, PROOF))
        .to.be.revertedWithCustomError(factory, "AccessManagerInvalidInitialAdmin")
        .withArgs(ethers.ZeroAddress);
    });

    it("rejects a zero guardian-proof delay", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("HealthLedgerAuthority");
      await expect(factory.deploy(admin.address, 0)).to.be.revertedWithCustomError(
        factory,
        "AuthorityGuardianProofDelayZero",
      );
    });
  });

  describe("TypeScript role helpers", function () {
    it("looks roles up by name and id, with errors that list the valid names", function () {
      expect(roleId("INSURER")).to.equal(8n);
      expect(roleLabel(3n)).to.equal("MANUFACTURER");
      expect(roleLabel(PUBLIC_ROLE)).to.equal("PUBLIC");
      expect(() => roleId("DOCTOR")).to.throw(/Unknown role "DOCTOR": expected one of ADMIN, REGULATOR/);
      expect(() => roleLabel(42n)).to.throw(/Unknown role id 42/);
    });
  });

  describe("grantRoles", function () {
    it("grants each role, and is idempotent", async function () {
      const { authority, stranger } = await loadFixture(deployFixture);
      const first = await grantRoles(authority, [{ role: "INSURER", account: stranger.address }]);
      expect(first).to.have.length(1);
      expect((await authority.hasRole(ROLES.INSURER, stranger.address))[0]).to.equal(true);
      expect(await grantRoles(authority, [{ role: "INSURER", account: stranger.address }])).to.have.length(0);
    });

    it("refuses an execution delay that is not a uint32 number of seconds", async function () {
      const { authority, stranger } = await loadFixture(deployFixture);
      await expect(
        grantRoles(authority, [{ role: "INSURER", account: stranger.address, executionDelay: -1 }]),
      ).to.be.rejectedWith(/must be a whole number of seconds/);
    });

    it("is refused for a caller without ADMIN", async function () {
      const { authority, stranger } = await loadFixture(deployFixture);
      await expect(
        grantRoles(authority.connect(stranger), [{ role: "INSURER", account: stranger.address }]),
      ).to.be.rejectedWith(/is not allowed to call/);
      await expect(authority.connect(stranger).grantRole(ROLES.INSURER, stranger.address, 0))
        .to.be.revertedWithCustomError(authority, "AccessManagerUnauthorizedAccount")
        .withArgs(stranger.address, ROLES.ADMIN);
    });

    it("needs a signer", async function () {
      const { authority } = await loadFixture(deployFixture);
      const readOnly = authority.connect(ethers.provider);
      await expect(adminCall(readOnly, "0x")).to.be.rejectedWith(/must be connected to a signer/);
    });
  });

  describe("wirePermissions", function () {
    it("maps each function to its role, so only holders may call it", async function () {
      const { authority, target, provider, stranger } = await loadFixture(deployFixture);
      await wirePermissions(authority, { RestrictedTarget: target }, RULES);
      const address = await target.getAddress();
      expect(await authority.getTargetFunctionRole(address, selectorOf("ping()"))).to.equal(ROLES.PROVIDER);
      expect(await authority.getTargetFunctionRole(address, selectorOf("pingTwice()"))).to.equal(PUBLIC_ROLE);
      await target.connect(provider).ping();
      await target.connect(stranger).pingTwice();
      expect(await target.pings()).to.equal(3n);
      await expect(target.connect(stranger).ping())
        .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("skips rules of contracts that are not deployed", async function () {
      const { authority } = await loadFixture(deployFixture);
      expect(await wirePermissions(authority, {}, RULES)).to.deep.equal([]);
    });

    it("refuses, before sending anything, a signature the contract does not have", async function () {
      const { authority, target } = await loadFixture(deployFixture);
      const bad: FunctionRule[] = [
        ...RULES,
        { contract: "RestrictedTarget", functions: ["pong()"], enforcedBy: "authority", roles: ["PROVIDER"], why: "" },
      ];
      await expect(wirePermissions(authority, { RestrictedTarget: target }, bad)).to.be.rejectedWith(
        /RestrictedTarget has no function pong\(\)/,
      );
      expect(await authority.getTargetFunctionRole(await target.getAddress(), selectorOf("ping()"))).to.equal(
        ROLES.ADMIN,
      );
    });

    it("refuses a malformed signature", function () {
      expect(() => selectorOf("ping")).to.throw(/is not a function signature/);
      expect(selectorOf("ping()")).to.equal(ethers.id("ping()").slice(0, 10));
    });
  });

  describe("admin delay and the guardian", function () {
    const DELAY = 3600;

    async function delayedFixture() {
      const f = await deployFixture();
      await setAdminDelay(f.authority, f.admin.address, DELAY);
      return f;
    }

    it("forces the admin to schedule, and executes after the delay", async function () {
      const { authority, stranger } = await loadFixture(delayedFixture);
      await expect(authority.grantRole(ROLES.INSURER, stranger.address, 0)).to.be.revertedWithCustomError(
        authority,
        "AccessManagerNotScheduled",
      );
      const data = authority.interface.encodeFunctionData("grantRole", [ROLES.INSURER, stranger.address, 0]);
      const result = await adminCall(authority, data);
      expect(result.status).to.equal("scheduled");
      await expect(authority.execute(await authority.getAddress(), data)).to.be.revertedWithCustomError(
        authority,
        "AccessManagerNotReady",
      );
      await time.increase(DELAY);
      await expect(authority.execute(await authority.getAddress(), data)).to.emit(authority, "OperationExecuted");
      expect((await authority.hasRole(ROLES.INSURER, stranger.address))[0]).to.equal(true);
    });

    it("lets a guardian cancel a scheduled admin operation", async function () {
      const { authority, admin, guardian, stranger } = await loadFixture(delayedFixture);
      const target = await authority.getAddress();
      const data = authority.interface.encodeFunctionData("grantRole", [ROLES.INSURER, stranger.address, 0]);
      const result = await adminCall(authority, data);
      if (result.status !== "scheduled") throw new Error("expected a scheduled operation");
      await expect(authority.connect(stranger).cancel(admin.address, target, data))
        .to.be.revertedWithCustomError(authority, "AccessManagerUnauthorizedCancel")
        .withArgs(stranger.address, admin.address, target, data.slice(0, 10));
      await expect(authority.connect(guardian).cancel(admin.address, target, data))
        .to.emit(authority, "OperationCanceled")
        .withArgs(result.operationId, 1);
      await time.increase(DELAY);
      await expect(authority.execute(target, data)).to.be.revertedWithCustomError(
        authority,
        "AccessManagerNotScheduled",
      );
    });
  });

  describe("a rogue guardian", function () {
    const DELAY = 3600;

    async function rogueFixture() {
      const f = await deployFixture();
      await setAdminDelay(f.authority, f.admin.address, DELAY);
      const target = await f.authority.getAddress();
      const removal = f.authority.interface.encodeFunctionData("revokeRole", [ROLES.GUARDIAN, f.guardian.address]);
      return { ...f, target, removal };
    }

    it("can still veto the admin's fast path, so a bad admin operation is stopped during its delay", async function () {
      const { authority, admin, guardian, target, removal } = await loadFixture(rogueFixture);
      const scheduled = await adminCall(authority, removal);
      if (scheduled.status !== "scheduled") throw new Error("expected a scheduled operation");
      expect(await authority.isGuardianProof(scheduled.operationId)).to.equal(false);
      await expect(authority.connect(guardian).cancel(admin.address, target, removal)).to.emit(
        authority,
        "OperationCanceled",
      );
    });

    it("cannot cancel its own removal scheduled on the guardian-proof path, which then executes", async function () {
      const { authority, admin, guardian, target, removal } = await loadFixture(rogueFixture);
      // The guardian vetoes the fast path once...
      await adminCall(authority, removal);
      await authority.connect(guardian).cancel(admin.address, target, removal);
      // ...and the admin takes the slow path, which no guardian can cancel.
      const scheduled = await adminCall(authority, removal, { guardianProof: true });
      if (scheduled.status !== "scheduled") throw new Error("expected a scheduled operation");
      expect(await authority.isGuardianProof(scheduled.operationId)).to.equal(true);
      await expect(authority.connect(guardian).cancel(admin.address, target, removal))
        .to.be.revertedWithCustomError(authority, "AuthorityGuardianCannotCancel")
        .withArgs(scheduled.operationId);
      await time.increase(PROOF + 900);
      await expect(authority.execute(target, removal)).to.emit(authority, "RoleRevoked");
      expect((await authority.hasRole(ROLES.GUARDIAN, guardian.address))[0]).to.equal(false);
      expect(await authority.isGuardianProof(scheduled.operationId)).to.equal(false);
    });

    it("cannot block a change of the admin's own delay either", async function () {
      const { authority, admin, guardian, target } = await loadFixture(rogueFixture);
      const change = authority.interface.encodeFunctionData("grantRole", [ROLES.ADMIN, admin.address, 2 * DELAY]);
      await adminCall(authority, change, { guardianProof: true });
      await expect(authority.connect(guardian).cancel(admin.address, target, change)).to.be.revertedWithCustomError(
        authority,
        "AuthorityGuardianCannotCancel",
      );
      await time.increase(PROOF + 900);
      await authority.execute(target, change);
      expect(await authority.hasRole(ROLES.ADMIN, admin.address)).to.deep.equal([true, BigInt(2 * DELAY)]);
    });

    it("leaves the slow path cancellable by the scheduler and by another ADMIN", async function () {
      const { authority, admin, stranger, target, removal } = await loadFixture(rogueFixture);
      const scheduled = await adminCall(authority, removal, { guardianProof: true });
      if (scheduled.status !== "scheduled") throw new Error("expected a scheduled operation");
      await expect(authority.cancel(admin.address, target, removal)).to.emit(authority, "OperationCanceled");
      // Scheduled again, then cancelled by a second admin.
      await adminCall(authority, removal, { guardianProof: true });
      const grantSecond = authority.interface.encodeFunctionData("grantRole", [ROLES.ADMIN, stranger.address, 0]);
      await adminCall(authority, grantSecond);
      await time.increase(DELAY);
      await authority.execute(target, grantSecond);
      await expect(authority.connect(stranger).cancel(admin.address, target, removal)).to.emit(
        authority,
        "OperationCanceled",
      );
    });

    it("marks only the scheduling it was made for: a later fast scheduling is cancellable again", async function () {
      const { authority, admin, guardian, target, removal } = await loadFixture(rogueFixture);
      const slow = await adminCall(authority, removal, { guardianProof: true });
      if (slow.status !== "scheduled") throw new Error("expected a scheduled operation");
      await authority.cancel(admin.address, target, removal);
      await adminCall(authority, removal);
      expect(await authority.isGuardianProof(slow.operationId)).to.equal(false);
      await expect(authority.connect(guardian).cancel(admin.address, target, removal)).to.emit(
        authority,
        "OperationCanceled",
      );
    });

    it("refuses an admin execution delay at or above the guardian-proof delay", async function () {
      const { authority, admin } = await loadFixture(deployFixture);
      await expect(authority.grantRole(ROLES.ADMIN, admin.address, PROOF))
        .to.be.revertedWithCustomError(authority, "AuthorityAdminDelayTooLong")
        .withArgs(PROOF, PROOF);
      await authority.grantRole(ROLES.ADMIN, admin.address, PROOF - 1);
      expect(await authority.hasRole(ROLES.ADMIN, admin.address)).to.deep.equal([true, BigInt(PROOF - 1)]);
    });

    it("tells a caller when a guardian-proof schedule was mined too late to be one", async function () {
      const { authority, removal } = await loadFixture(rogueFixture);
      // Mine the schedule an hour after the time adminCall read, past its 15-minute margin.
      const latest = await time.latest();
      await ethers.provider.send("evm_setAutomine", [false]);
      const pending = adminCall(authority, removal, { guardianProof: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await time.setNextBlockTimestamp(latest + 3600);
      await ethers.provider.send("evm_mine", []);
      await ethers.provider.send("evm_setAutomine", [true]);
      await expect(pending).to.be.rejectedWith(/mined too late to be guardian-proof: cancel it and schedule it/);
    });
  });

  describe("deployment through Ignition", function () {
    it("grants the guardian and puts the admin behind the requested delay", async function () {
      const [, guardian] = await ethers.getSigners();
      const { authority } = await deploySystem(hre, {
        guardian: guardian.address,
        adminDelay: 7200,
        guardianProofDelay: 86_400,
      });
      expect(await authority.guardianProofDelay()).to.equal(86_400n);
      const [deployer] = await ethers.getSigners();
      expect((await authority.hasRole(ROLES.GUARDIAN, guardian.address))[0]).to.equal(true);
      const [isAdmin, delay] = await authority.hasRole(ROLES.ADMIN, deployer.address);
      expect([isAdmin, delay]).to.deep.equal([true, 7200n]);
    });

    it("stops at the admin's delay when it is not below the guardian-proof delay", async function () {
      await expect(deploySystem(hre, { adminDelay: 86_400, guardianProofDelay: 86_400 })).to.be.rejectedWith(
        /AuthorityAdminDelayTooLong|set_admin_delay/,
      );
    });
  });

  describe("docs/roles.md", function () {
    it("is the table the wiring uses", async function () {
      const { readFile } = await import("node:fs/promises");
      expect(await readFile("docs/roles.md", "utf8")).to.equal(renderRolesDoc());
    });
  });
});
