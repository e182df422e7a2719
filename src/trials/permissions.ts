import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of the trial registry. Registration and the regulator's hold go through the
 * authority; the other functions check the caller against the trial itself (the registering sponsor, a site the
 * sponsor authorised, the participant).
 */
export const TRIAL_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "TrialRegistry",
    functions: ["register((bytes32,bytes32,uint32,uint32,uint32,address,uint96,(bytes32,bool)[]))"],
    enforcedBy: "authority",
    roles: ["SPONSOR"],
    why: "A trial sponsor registers a trial and becomes the only account that moves, amends and funds it",
  },
  {
    contract: "TrialRegistry",
    functions: ["regulatorSuspend(uint256,bytes32)", "regulatorResume(uint256)"],
    enforcedBy: "authority",
    roles: ["REGULATOR"],
    why: "A medicines regulator places and lifts a clinical hold that the sponsor cannot lift",
  },
  {
    contract: "TrialRegistry",
    functions: [
      "startRecruitment(uint256)",
      "closeEnrolment(uint256)",
      "complete(uint256)",
      "suspend(uint256,bytes32)",
      "resume(uint256)",
      "terminate(uint256,bytes32)",
      "amend(uint256,(bytes32,bytes32,uint32,(bytes32,bool)[]))",
      "fundBudget(uint256,uint256)",
      "recoverBudget(uint256)",
      "postResults(uint256,bytes32,(bytes32,bool)[],bytes32[])",
    ],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the trial's sponsor",
    why: "The sponsor runs its trial's lifecycle, protocol, budget and results",
  },
  {
    contract: "TrialRegistry",
    functions: ["authorizeSite(uint256,address)"],
    enforcedBy: "contract",
    roles: ["INVESTIGATOR"],
    caller: "the trial's sponsor; the site must hold INVESTIGATOR",
    why: "A sponsor opens a site run by an investigator",
  },
  {
    contract: "TrialRegistry",
    functions: ["revokeSite(uint256,address)"],
    enforcedBy: "contract",
    roles: ["INVESTIGATOR"],
    caller: "the trial's sponsor, or anyone once the site's investigator lost INVESTIGATOR",
    why: "A sponsor closes a site; anyone may prune a site whose investigator lost the role",
  },
  {
    contract: "TrialRegistry",
    functions: [
      "enroll(uint256,address,bytes32)",
      "withdrawParticipant(uint256,address)",
      "recordVisit(uint256,address)",
      "anchorData(uint256,bytes32,uint32,bytes32)",
    ],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "an authorised site of the trial",
    why: "Investigators enrol consenting participants, record visits and anchor datasets",
  },
  {
    contract: "TrialRegistry",
    functions: ["withdraw(uint256)", "claimStipend(uint256)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the participant (herself)",
    why: "A participant leaves a trial at any time and collects her stipends",
  },
];
