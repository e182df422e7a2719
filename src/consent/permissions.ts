import type { FunctionRule } from "../authority/permissions";

/**
 * Restricted functions of the consent registry. Everything else in `ConsentRegistry` is open: it checks its own
 * callers (the patient, her delegate, a grantee renouncing, or a valid signature).
 */
export const CONSENT_PERMISSIONS: readonly FunctionRule[] = [
  {
    contract: "ConsentRegistry",
    functions: ["breakGlass(address,bytes32)"],
    role: "PROVIDER",
    why: "Hospitals record emergency access to a patient's records without consent; the count is public",
  },
];
