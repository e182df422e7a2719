import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { grantRolesTask, listRolesTask } from "../../tooling/roles-tasks";

describe("roles tasks", function () {
  it("grants a role and lists members rebuilt from events", async function () {
    const [admin, , , , , , , , , , , , , stranger] = await ethers.getSigners();
    const authority = await ethers.deployContract("HealthLedgerAuthority", [admin.address, 86_400]);
    const address = await authority.getAddress();
    const args = { authority: address, role: "INSURER", account: stranger.address, delay: "0" };
    expect(await grantRolesTask(hre, args)).to.match(/^Granted INSURER to 0x/);
    expect(await grantRolesTask(hre, args)).to.equal(`${stranger.address} already holds INSURER`);
    const listing = await listRolesTask(hre, { authority: address });
    expect(listing).to.include(`INSURER: ${stranger.address}`).and.include(`ADMIN: ${admin.address}`);
  });

  it("says what is wrong with a bad role or address", async function () {
    const args = { authority: "0x1234", role: "INSURER", account: ethers.ZeroAddress, delay: "0" };
    await expect(grantRolesTask(hre, args)).to.be.rejectedWith(/--authority must be an address/);
    await expect(grantRolesTask(hre, { ...args, role: "NURSE" })).to.be.rejectedWith(/Unknown role "NURSE"/);
  });
});
