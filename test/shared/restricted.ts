import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { PERMISSIONS } from "../../src/authority/permissions";
import { ROLES, type RoleName } from "../../src/authority/roles";
import type { FunctionRule } from "../../src/authority/rules";
import type { HealthLedgerAuthority } from "../../typechain-types";

/** How to exercise one function whose row declares roles, for {@link shouldBehaveLikeRestricted}. */
export interface RestrictedCall {
  /**
   * Sets up state so that `subject` could make the call if it held the role, e.g. gives it units or registers its
   * trial. Runs while `subject` holds the role under test (`role`; a row may declare several), with no delay.
   */
  prepare?: (subject: HardhatEthersSigner, role: RoleName) => Promise<unknown>;
  /**
   * Makes the call whose role check is about `subject`: usually sent by `subject`, or naming it where the role is
   * checked of another account (a shipment's receiver, a site's investigator).
   */
  send: (subject: HardhatEthersSigner, role: RoleName) => Promise<ContractTransactionResponse>;
  /** The custom error of a refusal when it is not the shared one (`HealthLedgerRoleMissing`, or OZ's for authority). */
  error?: string;
  /** The custom error when the subject holds the role with an execution delay (default `HealthLedgerRoleDelayed`). */
  delayedError?: string;
}

/** What the shared behaviour needs from a domain fixture. */
export interface RestrictedFixture {
  authority: HealthLedgerAuthority;
  /** The contract under test (for its custom errors). */
  target: BaseContract;
}

/**
 * The shared access-control behaviour of every Health Ledger contract (OpenZeppelin's `shouldBehaveLikeAccessControl`
 * in spirit): it walks the permission table and, for every function of `contract` whose row declares roles and for
 * each of those roles, checks that
 * - an account that held the role and lost it is refused (so a revoked role loses power, also over records it made);
 * - a member with an execution delay is refused by contract checks, and must schedule an authority-checked call;
 * - a member without delay gets through.
 * A row without a case in `calls` fails, so a new restricted function cannot go untested.
 */
export function shouldBehaveLikeRestricted(
  contract: string,
  fixture: () => Promise<RestrictedFixture>,
  calls: Readonly<Record<string, RestrictedCall>>,
): void {
  const rows = PERMISSIONS.filter((r) => r.contract === contract && r.roles[0] !== "PUBLIC");
  describe(`${contract} access control (walks the permission table)`, function () {
    for (const row of rows) {
      for (const signature of row.functions) {
        describe(signature, function () {
          const call = calls[signature];
          if (call === undefined) {
            it("has a case in shouldBehaveLikeRestricted", function () {
              expect.fail(`no RestrictedCall for ${contract}.${signature}: add one to its test`);
            });
            return;
          }
          for (const role of row.roles as RoleName[]) describeRole(row, role, call, fixture);
        });
      }
    }
  });
}

function describeRole(
  row: FunctionRule,
  role: RoleName,
  call: RestrictedCall,
  fixture: () => Promise<RestrictedFixture>,
): void {
  const byAuthority = row.enforcedBy === "authority";

  /** The fixture with a fresh subject holding `role` (with `delay`), prepared. */
  async function withSubject(delay: number) {
    const f = await loadFixture(fixture);
    const signers = await ethers.getSigners();
    const subject = signers[signers.length - 1];
    await f.authority.grantRole(ROLES[role], subject.address, 0);
    if (call.prepare) await call.prepare(subject, role);
    if (delay !== 0) await f.authority.grantRole(ROLES[role], subject.address, delay);
    return { ...f, subject };
  }

  it(`is refused once ${role} is revoked`, async function () {
    const { authority, target, subject } = await withSubject(0);
    await authority.revokeRole(ROLES[role], subject.address);
    for (const other of row.roles as RoleName[])
      expect((await authority.hasRole(ROLES[other], subject))[0]).to.equal(false);
    const refusal = call.error ?? (byAuthority ? "AccessManagedUnauthorized" : "HealthLedgerRoleMissing");
    await expect(call.send(subject, role)).to.be.revertedWithCustomError(target, refusal);
  });

  it(`is refused to a ${role} member with an execution delay`, async function () {
    const { authority, target, subject } = await withSubject(3600);
    if (byAuthority) {
      await expect(call.send(subject, role)).to.be.revertedWithCustomError(authority, "AccessManagerNotScheduled");
    } else {
      await expect(call.send(subject, role)).to.be.revertedWithCustomError(
        target,
        call.delayedError ?? "HealthLedgerRoleDelayed",
      );
    }
  });

  it(`is allowed to a ${role} member`, async function () {
    const { subject } = await withSubject(0);
    await expect(call.send(subject, role)).to.not.be.reverted;
  });
}
