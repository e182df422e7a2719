import { task } from "hardhat/config";
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import { writeGeneratedSources } from "./generate";

// After every compile, regenerate the SDK's typed ABIs and address book (src/generated/, git-ignored), as
// TypeChain regenerates typechain-types/.
task(TASK_COMPILE).setAction(async (args, hre, runSuper) => {
  const result = await runSuper(args);
  await writeGeneratedSources(hre.artifacts);
  return result;
});
