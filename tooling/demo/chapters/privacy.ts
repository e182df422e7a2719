import { id } from "ethers";
import { categorySet, NO_EXPIRY, PURPOSES, relayGrant, signGrant } from "../../../src/consent";
import { PatientIdentity, recoverRelationships, type Relationship } from "../../../src/identity";
import { observe } from "../../privacy/observer";
import { ALICE_MNEMONIC, aliceIdentity, CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Privacy chapter: ${what}`);
}

/** How the story names a relationship. */
function describe(relationship: Relationship): string {
  switch (relationship.kind) {
    case "provider":
      return "care at St. Mary's";
    case "policy":
      return `Northwind policy #${relationship.index + 1}`;
    case "trial":
      return `trial ${relationship.trialId}`;
    case "emergency":
      return `emergency card ${relationship.epoch}`;
  }
}

/** Patients of St. Mary's other than Alice in this month: the crowd her accounts hide in. */
const CROWD = 12;

/**
 * What the chain shows about Alice: St. Mary's and the relayer serve other patients too; then the chain observer of
 * docs/privacy.md (tooling/privacy/observer.ts) reads every block of the demo and tries to put Alice's accounts
 * together. It cannot. Alice then loses her phone and her wallet finds every relationship again from her one secret.
 */
export const privacyChapter: Chapter = {
  title: "What the chain shows about Alice",
  async run({ hre, system, cast, narrator }) {
    const provider = hre.ethers.provider;
    const { chainId } = await provider.getNetwork();
    const registry = system.consentRegistry;
    const hospital = await cast.hospital.getAddress();

    // The crowd: other patients' consents through the same relayer, other unconscious patients' cards.
    for (let i = 0; i < CROWD; i++) {
      const other = PatientIdentity.fromSeed(id(`demo crowd patient ${i}`), chainId);
      const account = other.account({ kind: "provider", provider: hospital });
      const terms = {
        patient: account.address,
        grantee: hospital,
        purpose: PURPOSES.TREATMENT,
        categories: categorySet("CONDITIONS", "MEDICATIONS"),
        startsAt: 0n,
        expiresAt: NO_EXPIRY,
        documentCommitment: id(`crowd consent ${i}`),
      };
      await relayGrant(registry.connect(cast.relayer), await signGrant(account, registry, terms));
      if (i % 2 === 0) {
        const card = other.derive({ kind: "emergency", epoch: 0 }).address;
        await (await registry.connect(cast.hospital).breakGlass(card, id(`crowd emergency ${i}`))).wait();
      }
    }
    narrator.say(
      `The same month, ${CROWD} other patients of ${CAST_NAMES.hospital} consent through the same relayer, and ` +
        `${CROWD / 2} of them are brought in unconscious.`,
    );

    // Alice's relationships, as only she knows them (her wallet finds them from her secret; see below).
    const identity = aliceIdentity(chainId);
    const mine = await recoverRelationships(identity, system);
    const observation = await observe(provider, {
      consentRegistry: await registry.getAddress(),
      claimsManager: await system.claimsManager.getAddress(),
      trialRegistry: await system.trialRegistry.getAddress(),
      fromBlock: 0,
    });
    narrator.say(
      `An observer reads every block of this demo (${observation.blocksRead} blocks, ${observation.transactionsRead} ` +
        `transactions, ${observation.logsRead} logs of the domain contracts) and clusters the ${observation.accounts.size} ` +
        "patient accounts it finds by shared account, funder and sender, brute-forces research purposes and reads " +
        "claim codes as plain ones.",
    );
    const clusterOf = new Map<string, string[]>();
    for (const cluster of observation.clusters) for (const a of cluster) clusterOf.set(a, cluster);
    const addresses = new Set(mine.map((m) => m.address));
    for (const { relationship, address } of mine) {
      const view = observation.accounts.get(address);
      check(view !== undefined, `the observer did not see Alice's ${describe(relationship)} account`);
      const together = clusterOf.get(address)!.filter((a) => a !== address && addresses.has(a));
      narrator.fact(
        describe(relationship),
        `${address}: seen in ${[...view!.seenIn].length} event kind(s), funded by ${view!.funder ?? "no one"}, ` +
          `sent ${view!.sent} transaction(s), linked to ${together.length} other account(s) of hers`,
      );
      check(
        view!.funder === undefined && view!.sent === 0,
        `Alice's ${describe(relationship)} account was funded or sent`,
      );
      check(together.length === 0, `the observer linked Alice's ${describe(relationship)} account to another of hers`);
    }
    check(
      observation.bruteForced.every((b) => !addresses.has(b.account)),
      "the observer brute-forced the trial of Alice's research consent",
    );
    narrator.say(
      `Alice's ${mine.length} accounts are among them, and nothing says they are one person's: no account, funder or sender ` +
        "in common, no research purpose it can place, no service it can read. The relayer and St. Mary's act for " +
        "too many patients to narrow anyone down: in this demo the crowd is small, in a city it is thousands.",
    );

    // Alice loses her phone: her one secret finds everything again.
    const restored = PatientIdentity.fromMnemonic(ALICE_MNEMONIC, chainId);
    const recovered = await recoverRelationships(restored, system);
    narrator.say(
      `${CAST_NAMES.alice} loses her phone. On a new one she types her recovery phrase; her wallet derives the account ` +
        "of every possible counterparty and keeps those with history on chain:",
    );
    for (const r of recovered) narrator.fact(describe(r.relationship), `${r.address} (${r.evidence.join(", ")})`);
    const kinds = new Set(recovered.map((r) => r.relationship.kind));
    check(
      ["provider", "policy", "trial", "emergency"].every((k) => kinds.has(k as Relationship["kind"])),
      "recovery did not find all four kinds of relationship",
    );
    check(recovered.length === mine.length, "recovery found a different set of relationships");
  },
};
