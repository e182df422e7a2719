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
import { deploySystem } from "../../src/system/deploy";

const RULES: FunctionRule[] = [
  { contract: "RestrictedTarget", functions: ["ping()"], role: "PROVIDER", why: "test" },
  { contract: "RestrictedTarget", functions: ["pingTwice()"], role: "PUBLIC", why: "test" },
];

async function deployFixture() {
  const [admin, guardian, provider, stranger] = await ethers.getSigners();
  const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address]);
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
      const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address]);
      const logs = await authority.queryFilter(authority.filters.RoleLabel());
      expect(logs.map((l) => [l.args.roleId, l.args.label])).to.deep.equal(ROLE_NAMES.map((n) => [ROLES[n], n]));
    });

    it("makes GUARDIAN the guardian of every role, ADMIN included", async function () {
      const { authority } = await loadFixture(deployFixture);
      for (const name of ROLE_NAMES) expect(await authority.getRoleGuardian(ROLES[name])).to.equal(ROLES.GUARDIAN);
    });

    it("rejects a zero initial admin", async function () {
      const factory = await ethers.getContractFactory("HealthLedgerAuthority");
      await expect(factory.deploy(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "AccessManagerInvalidInitialAdmin")
        .withArgs(ethers.ZeroAddress);
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
        { contract: "RestrictedTarget", functions: ["pong()"], role: "PROVIDER", why: "" },
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

  describe("deployment through Ignition", function () {
    it("grants the guardian and puts the admin behind the requested delay", async function () {
      const [, guardian] = await ethers.getSigners();
      const { authority } = await deploySystem(hre, { guardian: guardian.address, adminDelay: 7200 });
      const [deployer] = await ethers.getSigners();
      expect((await authority.hasRole(ROLES.GUARDIAN, guardian.address))[0]).to.equal(true);
      const [isAdmin, delay] = await authority.hasRole(ROLES.ADMIN, deployer.address);
      expect([isAdmin, delay]).to.deep.equal([true, 7200n]);
    });
  });

  describe("docs/roles.md", function () {
    it("is the table the wiring uses", async function () {
      const { readFile } = await import("node:fs/promises");
      expect(await readFile("docs/roles.md", "utf8")).to.equal(renderRolesDoc());
    });
  });
});
