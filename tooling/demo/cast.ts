import type { Signer } from "ethers";
import type { RoleGrant } from "../../src/authority/permissions";
import { PatientIdentity } from "../../src/identity";

/**
 * Alice's one secret, for every chapter: her wallet derives from it a separate account for St. Mary's, for her
 * Northwind policy, for her trial and for her emergency card (docs/privacy.md; this is its test-vector phrase). A real
 * wallet generates its own (`PatientIdentity.generate`) and the patient writes it down.
 */
export const ALICE_MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

/** Alice's identity on a chain: all her relationship accounts and secrets. */
export function aliceIdentity(chainId: bigint): PatientIdentity {
  return PatientIdentity.fromMnemonic(ALICE_MNEMONIC, chainId);
}

/** The organisations and people of the demo, each with the account it signs with. */
export interface Cast {
  admin: Signer;
  guardian: Signer;
  hospital: Signer;
  manufacturer: Signer;
  wholesaler: Signer;
  pharmacy: Signer;
  sponsor: Signer;
  investigator: Signer;
  insurer: Signer;
  regulator: Signer;
  relayer: Signer;
  alice: Signer;
  bob: Signer;
}

export type Member = keyof Cast;

export const CAST_NAMES: Record<Member, string> = {
  admin: "Health Ledger operator (admin)",
  guardian: "Security council (guardian)",
  hospital: "St. Mary's Hospital",
  manufacturer: "Acme Pharma",
  wholesaler: "MedDistrib Wholesale",
  pharmacy: "Corner Pharmacy",
  sponsor: "Helix Trials Inc.",
  investigator: "Dr. Osei, site investigator",
  insurer: "Northwind Health Insurance",
  regulator: "National Medicines Agency",
  relayer: "Gasless relayer",
  alice: "Alice (patient)",
  bob: "Bob (patient)",
};

export function castFromSigners(signers: readonly Signer[]): Cast {
  const names = Object.keys(CAST_NAMES) as Member[];
  if (signers.length < names.length) {
    throw new Error(`The demo needs ${names.length} accounts, the network has ${signers.length}`);
  }
  return Object.fromEntries(names.map((n, i) => [n, signers[i]])) as unknown as Cast;
}

/** Which role each organisation holds. */
export const CAST_ROLES: readonly { member: Member; role: RoleGrant["role"] }[] = [
  { member: "guardian", role: "GUARDIAN" },
  { member: "hospital", role: "PROVIDER" },
  { member: "manufacturer", role: "MANUFACTURER" },
  { member: "wholesaler", role: "DISTRIBUTOR" },
  { member: "pharmacy", role: "DISPENSER" },
  { member: "sponsor", role: "SPONSOR" },
  { member: "investigator", role: "INVESTIGATOR" },
  { member: "investigator", role: "PROVIDER" },
  { member: "insurer", role: "INSURER" },
  { member: "regulator", role: "REGULATOR" },
];

export async function castGrants(cast: Cast): Promise<RoleGrant[]> {
  return Promise.all(CAST_ROLES.map(async ({ member, role }) => ({ role, account: await cast[member].getAddress() })));
}
