import { expect } from "chai";
import hre from "hardhat";
import { vaultChapter } from "../../tooling/demo/chapters/vault";
import { castFromSigners } from "../../tooling/demo/cast";
import { Narrator } from "../../tooling/demo/narrator";
import { deployTestSystem } from "../../tooling/system";

describe("The vault demo chapter", function () {
  this.timeout(120_000);

  it("tells the story: stored, refused, consented and read, revoked and refused, and the log shows it", async function () {
    const system = await deployTestSystem(hre);
    const cast = castFromSigners(await hre.ethers.getSigners());
    const lines: string[] = [];
    await vaultChapter.run({ hre, system, cast, narrator: new Narrator((line) => lines.push(line)) });
    const text = lines.join("\n");
    expect(text).to.match(/asks first: refused/);
    expect(text).to.match(/clinic decrypted and verified Observation/);
    expect(text).to.match(/next read is refused/);
    expect(text).to.match(/2 served, 2 refused/);
  });
});
