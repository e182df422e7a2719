import { Roles } from "../constants";

const { PUBLIC, COUNT, ...labelled } = Roles;

/** Every labelled role id, by name (from `contracts/authority/Roles.sol`, through the generated src/constants.ts). */
export const ROLES = labelled;

/** AccessManager's PUBLIC_ROLE: every account holds it. */
export const PUBLIC_ROLE: bigint = PUBLIC;

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
