import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of `ClaimsManager`. The authority gates each insurer and provider function by role;
 * the contract narrows each further: decisions to the policy's own insurer, escrow to the caller's own. `appeal` and
 * `withdraw` are open and check their caller themselves.
 */
export const CLAIMS_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "ClaimsManager",
    functions: ["createPolicy((address,uint40,uint40,uint256,uint256,uint16,uint16,uint256,bytes32))"],
    enforcedBy: "authority",
    roles: ["INSURER"],
    why: "An insurer issues policies to its members",
  },
  {
    contract: "ClaimsManager",
    functions: ["fundEscrow(uint256)", "withdrawEscrow(uint256,address)"],
    enforcedBy: "authority",
    roles: ["INSURER"],
    caller: "its own escrow",
    why: "An insurer funds its own escrow and takes out only what approved claims do not need",
  },
  {
    contract: "ClaimsManager",
    functions: ["approvePriorAuth(uint256,uint256,uint40)", "denyPriorAuth(uint256,uint8)"],
    enforcedBy: "authority",
    roles: ["INSURER"],
    caller: "the policy's insurer",
    why: "The policy's insurer decides prior-authorisation requests",
  },
  {
    contract: "ClaimsManager",
    functions: [
      "approveClaim(bytes32,uint256)",
      "denyClaim(bytes32,uint8)",
      "approveAppeal(bytes32,uint256)",
      "denyAppeal(bytes32,uint8)",
    ],
    enforcedBy: "authority",
    roles: ["INSURER"],
    caller: "the policy's insurer",
    why: "The policy's insurer reviews pended claims and decides appeals",
  },
  {
    contract: "ClaimsManager",
    functions: [
      "submitClaim(uint256,bytes32,(uint8,uint256)[],uint40,uint256)",
      "requestPriorAuth(uint256,uint8,bytes32)",
    ],
    enforcedBy: "authority",
    roles: ["PROVIDER"],
    caller: "a provider with the member's payment consent",
    why: "A hospital or clinic bills services and asks for prior authorisation",
  },
  {
    contract: "ClaimsManager",
    functions: ["appeal(bytes32,bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the claim's provider or the policy's member",
    why: "A denied claim may be appealed once",
  },
  {
    contract: "ClaimsManager",
    functions: ["withdraw(bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the claim's provider",
    why: "A provider collects an approved claim from the insurer's escrow",
  },
];
