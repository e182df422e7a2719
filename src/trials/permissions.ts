import type { FunctionRule } from "../authority/permissions";

/**
 * Permission rows of the trial registry. Only registration and the regulator's hold go through the authority;
 * every other TrialRegistry function checks its caller against the trial itself (the registering sponsor, a site
 * the sponsor authorised, or the participant), so it is open here.
 */
export const TRIAL_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "TrialRegistry",
    functions: ["register((bytes32,bytes32,uint32,uint32,uint32,address,uint96,(bytes32,bool)[]))"],
    role: "SPONSOR",
    why: "A trial sponsor registers a trial and becomes the only account that moves, amends and funds it",
  },
  {
    contract: "TrialRegistry",
    functions: ["regulatorSuspend(uint256,bytes32)", "regulatorResume(uint256)"],
    role: "REGULATOR",
    why: "A medicines regulator places and lifts a clinical hold that the sponsor cannot lift",
  },
];
