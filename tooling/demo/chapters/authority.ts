import { grantRoles } from "../../../src/authority/permissions";
import { ROLES } from "../../../src/authority/roles";
import { aliceIdentity, CAST_NAMES, CAST_ROLES, castGrants } from "../cast";
import type { Chapter } from "../types";

/** Chapter 1: one permission authority, roles granted from the declarative table. */
export const authorityChapter: Chapter = {
  title: "The permission authority",
  async run({ hre, system, cast, narrator }) {
    const { authority } = system;
    narrator.say(`The authority is deployed at ${await authority.getAddress()} (an OpenZeppelin AccessManager).`);
    const [ids, labels] = await authority.roles();
    narrator.fact("roles", ids.map((id, i) => `${id}=${labels[i]}`).join(", "));
    await grantRoles(authority.connect(cast.admin), await castGrants(cast));
    narrator.say("The operator grants each organisation its role from the declarative table:");
    for (const { member, role } of CAST_ROLES) {
      const [has] = await authority.hasRole(ROLES[role], await cast[member].getAddress());
      narrator.fact(CAST_NAMES[member], `${role}${has ? "" : " (NOT GRANTED)"}`);
      if (!has) throw new Error(`${CAST_NAMES[member]} did not receive ${role}`);
    }
    const { chainId } = await hre.ethers.provider.getNetwork();
    const alice = aliceIdentity(chainId).derive({ kind: "provider", provider: await cast.hospital.getAddress() });
    const [aliceHasRole] = await authority.hasRole(ROLES.PROVIDER, alice.address);
    narrator.say(`A patient holds no role: Alice's account with St. Mary's is ${alice.address}.`);
    if (aliceHasRole) throw new Error("Alice's account holds a role");
  },
};
