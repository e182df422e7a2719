import type { FunctionRule } from "../authority/permissions";

/**
 * Who may call the restricted functions of `ClaimsManager`. The contract narrows each further: decisions to the
 * policy's own insurer, escrow to the caller's own. `appeal` and `withdraw` are open (PUBLIC) and check their caller
 * themselves: the claim's provider or the policy's member may appeal, only the claim's provider is paid.
 */
export const CLAIMS_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "ClaimsManager",
    functions: ["createPolicy((address,uint40,uint40,uint256,uint256,uint16,uint16,uint256,bytes32))"],
    role: "INSURER",
    why: "An insurer issues policies to its members",
  },
  {
    contract: "ClaimsManager",
    functions: ["fundEscrow(uint256)", "withdrawEscrow(uint256,address)"],
    role: "INSURER",
    why: "An insurer funds its own escrow and takes out only what approved claims do not need",
  },
  {
    contract: "ClaimsManager",
    functions: ["approvePriorAuth(uint256,uint256,uint40)", "denyPriorAuth(uint256,uint8)"],
    role: "INSURER",
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
    role: "INSURER",
    why: "The policy's insurer reviews pended claims and decides appeals",
  },
  {
    contract: "ClaimsManager",
    functions: [
      "submitClaim(uint256,bytes32,(uint8,uint256)[],uint40,uint256)",
      "requestPriorAuth(uint256,uint8,bytes32)",
    ],
    role: "PROVIDER",
    why: "A hospital or clinic bills services and asks for prior authorisation, with the member's payment consent",
  },
];
