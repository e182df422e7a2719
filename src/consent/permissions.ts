import type { FunctionRule } from "../authority/rules";

/**
 * Every state-changing function of the consent registry. Only `breakGlass` needs a role (PROVIDER, checked by the
 * authority at every call: a revoked provider loses it at once; nothing is owed to or by a provider, so there is no
 * wind-down exception). The others check their callers against the consent itself (the patient, her delegate, a
 * grantee renouncing, a valid signature).
 */
export const CONSENT_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "ConsentRegistry",
    functions: ["breakGlass(address,bytes32)"],
    enforcedBy: "authority",
    roles: ["PROVIDER"],
    why: "Hospitals record emergency access to a patient's records without consent; the count is public",
  },
  {
    contract: "ConsentRegistry",
    functions: [
      "grant(address,address,bytes32,uint256,uint40,uint40,bytes32)",
      "batch(address,(address,bytes32,uint256,uint40,uint40,bytes32)[],(address,bytes32)[])",
    ],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the patient or her unexpired delegate; a delegate never names itself as grantee",
    why: "A patient decides who may use her data, for what and until when",
  },
  {
    contract: "ConsentRegistry",
    functions: ["revoke(address,address,bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the patient or her unexpired delegate",
    why: "A patient withdraws a consent whenever she wants",
  },
  {
    contract: "ConsentRegistry",
    functions: [
      "grantBySig((address,address,address,bytes32,uint256,uint40,uint40,bytes32,uint32,uint256,uint40),bytes)",
    ],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller:
      "anyone relaying a grant signed by the patient, or by her unexpired delegate under its current delegation " +
      "(epoch) and not naming that delegate as grantee",
    why: "Patients never need ETH: a relayer pays for the signed request",
  },
  {
    contract: "ConsentRegistry",
    functions: ["revokeBySig((address,address,address,bytes32,uint32,uint256,uint40),bytes)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller:
      "anyone relaying a revocation signed by the patient, or by her unexpired delegate under its current " +
      "delegation (epoch)",
    why: "Patients never need ETH: a relayer pays for the signed request",
  },
  {
    contract: "ConsentRegistry",
    functions: ["renounce(address,bytes32)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the grantee of the consent",
    why: "A grantee may give up a consent it no longer needs",
  },
  {
    contract: "ConsentRegistry",
    functions: ["appointDelegate(address,uint8,uint40)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the patient (for herself)",
    why: "A patient appoints a guardian, proxy or caregiver to act for her",
  },
  {
    contract: "ConsentRegistry",
    functions: ["appointDelegateBySig((address,address,uint8,uint40,uint256,uint40),bytes)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "anyone relaying the patient's signed appointment",
    why: "Patients never need ETH: a relayer pays for the signed request",
  },
  {
    contract: "ConsentRegistry",
    functions: ["removeDelegate(address,address)"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the patient or the delegate",
    why: "Either side may end a delegation",
  },
  {
    contract: "ConsentRegistry",
    functions: ["cancelNonce()"],
    enforcedBy: "contract",
    roles: ["PUBLIC"],
    caller: "the signer (its own nonce)",
    why: "A signer voids a signed request nobody relayed yet",
  },
];
