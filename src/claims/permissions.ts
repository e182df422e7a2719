import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of `ClaimsManager`. The authority gates by role what opens something new: issuing
 * policies and funding escrow (INSURER), submitting claims and requesting prior authorisations (PROVIDER). The
 * contract checks the caller against the record for the rest, with no role: decisions belong to the policy's
 * insurer, escrow withdrawals to the caller's own escrow, payouts to the claim's provider, appeals to its member or
 * provider. An insurer whose INSURER role is revoked can therefore still wind down: decide what is pending on its
 * policies (claims, appeals, prior authorisations) and take back its free escrow, but issue or fund nothing new.
 */
export const CLAIMS_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "ClaimsManager",
    functions: ["createPolicy((bytes32,address,uint40,uint40,uint16,uint256,uint256,uint16,uint256))"],
    enforcedBy: "authority",
    roles: ["INSURER"],
    why: "An insurer issues policies to its members",
  },
  {
    contract: "ClaimsManager",
    functions: ["fundEscrow(uint256)"],
    enforcedBy: "authority",
    roles: ["INSURER"],
    caller: "its own escrow",
    why: "An insurer funds its own escrow to pay its members' claims",
  },
  {
    contract: "ClaimsManager",
    functions: ["withdrawEscrow(uint256,address)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller:
      "its own escrow, the free part only (no role needed: an insurer whose role is revoked takes back what is free)",
    why: "An insurer takes out what approved claims do not need, also when winding down",
  },
  {
    contract: "ClaimsManager",
    functions: ["approvePriorAuth(uint256,uint256,uint40)", "denyPriorAuth(uint256,uint8)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the policy's insurer (no role needed: wind-down)",
    why: "The policy's insurer decides prior-authorisation requests, also after losing its role",
  },
  {
    contract: "ClaimsManager",
    functions: [
      "approveClaim(bytes32,uint256)",
      "denyClaim(bytes32,uint8)",
      "approveAppeal(bytes32,uint256)",
      "denyAppeal(bytes32,uint8)",
    ],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the policy's insurer (no role needed: wind-down)",
    why: "The policy's insurer reviews pended claims and decides appeals, so that what it owes is settled even after it loses its role",
  },
  {
    contract: "ClaimsManager",
    functions: [
      "submitClaim(uint256,bytes32,(uint8,uint256)[],uint40,uint256)",
      "requestPriorAuth(uint256,uint8,bytes32)",
    ],
    enforcedBy: "authority",
    roles: ["PROVIDER"],
    caller: "a provider with the member's payment consent for the claim's blinded service codes",
    why: "A hospital or clinic bills services and asks for prior authorisation",
  },
  {
    contract: "ClaimsManager",
    functions: ["appeal(bytes32,bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller:
      "the policy's member (her policy pseudonym, relayed through the forwarder), or the claim's provider with the member's payment consent",
    why: "A denied claim may be appealed once",
  },
  {
    contract: "ClaimsManager",
    functions: ["withdraw(bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the claim's provider (no role needed: it collects what it is owed)",
    why: "A provider collects an approved claim from the insurer's escrow",
  },
];
