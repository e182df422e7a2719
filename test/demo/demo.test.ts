import { expect } from "chai";
import hre from "hardhat";
import { CHAPTERS, runDemo } from "../../tooling/demo";

describe("npm run demo", function () {
  it("tells every chapter's story to the end on the embedded EVM", async function () {
    const lines: string[] = [];
    await runDemo(hre, (line) => lines.push(line));
    const text = lines.join("\n");
    CHAPTERS.forEach((chapter, i) => expect(text).to.include(`Chapter ${i + 1}: ${chapter.title}`));
    expect(lines.at(-1)).to.equal("Demo complete.");
  });
});
