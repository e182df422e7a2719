/**
 * TypeScript mirror of `contracts/authority/Roles.sol`. A test reads `HealthLedgerAuthority.roles()` and fails
 * if an id or label here differs from the Solidity definition.
 */
export const ROLES = {
  ADMIN: 0n,
  REGULATOR: 1n,
  PROVIDER: 2n,
  MANUFACTURER: 3n,
  DISTRIBUTOR: 4n,
  DISPENSER: 5n,
  SPONSOR: 6n,
  INVESTIGATOR: 7n,
  INSURER: 8n,
  GUARDIAN: 9n,
} as const;

/** AccessManager's PUBLIC_ROLE: every account holds it. */
export const PUBLIC_ROLE = 2n ** 64n - 1n;

export type RoleName = keyof typeof ROLES;

export const ROLE_NAMES = Object.keys(ROLES) as RoleName[];

/** Looks a role up by name, with an error that lists the valid names. */
export function roleId(name: string): bigint {
  if (!(name in ROLES)) {
    throw new Error(`Unknown role "${name}": expected one of ${ROLE_NAMES.join(", ")}`);
  }
  return ROLES[name as RoleName];
}

/** Label of a role id, e.g. `roleLabel(3n) === "MANUFACTURER"`; "PUBLIC" for the public role. */
export function roleLabel(id: bigint): string {
  if (id === PUBLIC_ROLE) return "PUBLIC";
  const name = ROLE_NAMES.find((n) => ROLES[n] === id);
  if (name === undefined) throw new Error(`Unknown role id ${id}`);
  return name;
}
