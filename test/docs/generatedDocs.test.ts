import { expect } from "chai";
import { readFile } from "node:fs/promises";
import hre from "hardhat";
import { generatedDocs } from "../../tooling/docs/cli";
import { collectSystemDocs } from "../../tooling/docs/natspec";

describe("generated documents", function () {
  it("docs/events.md, errors.md, roles.md, enums.md and src/constants.ts match the contracts and the table", async function () {
    for (const [file, content] of Object.entries(await generatedDocs(hre))) {
      expect(await readFile(file, "utf8"), `${file} is stale: run \`npm run docs\``).to.equal(content);
    }
  });

  it("attributes events to the functions that emit them, through internal calls and constructors", async function () {
    const { events } = await collectSystemDocs(hre.artifacts);
    const granted = events.find((e) => e.name === "RoleGranted");
    expect(granted?.raisedBy).to.include.members([
      "HealthLedgerAuthority.grantRole",
      "HealthLedgerAuthority.constructor",
    ]);
    const label = events.find((e) => e.name === "RoleLabel");
    expect(label?.raisedBy).to.include("HealthLedgerAuthority.constructor");
  });

  it("documents only deployable contracts, not interfaces, libraries or test contracts", async function () {
    const { events, errors } = await collectSystemDocs(hre.artifacts);
    const contracts = new Set([...events, ...errors].flatMap((d) => d.contracts));
    expect(contracts.has("RestrictedTarget")).to.equal(false);
    expect(contracts.has("IHealthLedgerAuthority")).to.equal(false);
    expect(contracts.has("HealthLedgerAuthority")).to.equal(true);
  });
});
