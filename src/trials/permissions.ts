import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of the trial registry. Registration and the regulator's hold go through the
 * authority; the other functions check the caller against the trial itself (the registering sponsor, a site the
 * sponsor authorised, the participant) and, for the sponsor and the sites, the live role in the contract: a
 * sponsor that loses SPONSOR, or an investigator that loses INVESTIGATOR, loses its trials at once. The one
 * wind-down exception is `recoverBudget`, by which a sponsor takes back its own leftover money.
 */
export const TRIAL_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "TrialRegistry",
    functions: ["register((bytes32,bytes32,bytes32,uint32,uint32,uint32,address,uint96,(bytes32,bool)[]))"],
    enforcedBy: "authority",
    roles: ["SPONSOR"],
    why: "A trial sponsor registers a trial and becomes the only account that moves, amends and funds it",
  },
  {
    contract: "TrialRegistry",
    functions: ["regulatorSuspend(uint256,bytes32)", "regulatorResume(uint256)"],
    enforcedBy: "authority",
    roles: ["REGULATOR"],
    why: "A medicines regulator places and lifts a clinical hold that the sponsor cannot lift, end or cash out",
  },
  {
    contract: "TrialRegistry",
    functions: [
      "recordEthicsApproval(uint256,bytes32)",
      "startRecruitment(uint256)",
      "closeEnrolment(uint256)",
      "complete(uint256)",
      "suspend(uint256,bytes32)",
      "resume(uint256)",
      "terminate(uint256,bytes32)",
      "revokeSite(uint256,address)",
      "amend(uint256,(bytes32,bytes32,uint32,(bytes32,bool)[]))",
      "fundBudget(uint256,uint256)",
      "postResults(uint256,bytes32,(bytes32,bool)[],bytes32[])",
    ],
    enforcedBy: "contract",
    roles: ["SPONSOR"],
    caller: "the trial's sponsor",
    why: "The sponsor runs its trial's ethics approval, lifecycle, sites, protocol, budget and results while it holds SPONSOR",
  },
  {
    contract: "TrialRegistry",
    functions: ["recoverBudget(uint256)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller:
      "the trial's sponsor, also after losing SPONSOR (wind-down: its own leftover money); not under a regulator's hold",
    why: "The sponsor takes back the unallocated budget of its completed or terminated trial",
  },
  {
    contract: "TrialRegistry",
    functions: ["authorizeSite(uint256,address)"],
    enforcedBy: "contract",
    roles: ["SPONSOR", "INVESTIGATOR"],
    caller: "the trial's sponsor, holding SPONSOR; the site's account must hold INVESTIGATOR",
    why: "A sponsor opens a site run by an investigator",
  },
  {
    contract: "TrialRegistry",
    functions: [
      "enroll(uint256,address,bytes32,bytes32)",
      "withdrawParticipant(uint256,address)",
      "recordVisit(uint256,address,bytes32)",
      "anchorData(uint256,bytes32,uint32,bytes32)",
    ],
    enforcedBy: "contract",
    roles: ["INVESTIGATOR"],
    caller: "an authorised site of the trial",
    why: "Investigators enrol consenting participants, record visits and anchor datasets while they hold INVESTIGATOR",
  },
  {
    contract: "TrialRegistry",
    functions: ["withdraw(uint256)", "claimStipend(uint256,address)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the participant (herself: her trial account, through the forwarder when a relayer pays)",
    why: "A participant leaves a trial at any time and collects her stipends, to an account she names",
  },
];
