import { expect } from "chai";
import { ethers } from "hardhat";
import { decodeRevert } from "../../src/abi";
import { explain, UserError } from "../../tooling/operators/errors";

describe("errors for people", function () {
  it("decodes a revert against every shipped ABI to the custom error's name and arguments", async function () {
    const [admin, stranger] = await ethers.getSigners();
    const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address, 86_400]);
    const error = await authority
      .connect(stranger)
      .grantRole(5, stranger.address, 0)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(explain(error)).to.equal(
      `The transaction reverted: AccessManagerUnauthorizedAccount(${stranger.address}, 0) (see docs/errors.md for why and how to fix it)`,
    );
  });

  it("names an unknown selector instead of guessing, and passes a user error through", function () {
    expect(decodeRevert("0x25c471a0")).to.equal(undefined);
    expect(explain({ data: "0x25c471a0" })).to.match(/unknown error 0x25c471a0 .*is this the right contract\?/);
    expect(explain(new UserError("--role is wrong"))).to.equal("--role is wrong");
    expect(explain(new Error("first line\nsecond line"))).to.equal("first line");
  });
});
