import { HDNodeWallet, Mnemonic, type BaseWallet, type Signer } from "ethers";
import { categoryNames, categorySet } from "../../../src/consent/categories";
import { PURPOSES } from "../../../src/consent/purposes";
import { relayGrant } from "../../../src/consent/relayer";
import { signGrant } from "../../../src/consent/signing";
import { NO_EXPIRY } from "../../../src/consent/fhir";
import { commit } from "../../../src/records";
import { openSql } from "../../../src/storage/sql";
import {
  ChainView,
  VaultClient,
  VaultRequestError,
  VaultStore,
  buildVault,
  keyAnnouncement,
  publicKeyFromSignature,
  type ChainProvider,
} from "../../../src/vault";
import { aliceIdentity, CAST_NAMES } from "../cast";
import type { Chapter } from "../types";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`Vault chapter: ${what}`);
}

/** The private key of a cast member (the demo network's default accounts), which the vault client needs to unwrap. */
async function walletOf(signer: Signer): Promise<BaseWallet> {
  const address = await signer.getAddress();
  const phrase = Mnemonic.fromPhrase(HARDHAT_MNEMONIC);
  for (let i = 0; i < 30; i++) {
    const wallet = HDNodeWallet.fromMnemonic(phrase, `m/44'/60'/0'/0/${i}`);
    if (wallet.address === address) return wallet.connect(signer.provider);
  }
  throw new Error(`Vault chapter: ${address} is not one of the default accounts, so its key is unknown`);
}

/**
 * The record vault: St. Mary's stores Alice's records (ciphertext only) under her St. Mary's account; she consents to
 * a second provider, which reads and verifies them; she revokes, and the next read is refused; her disclosure log
 * shows both, checked against the head anchored on chain.
 */
export const vaultChapter: Chapter = {
  title: "The record vault",
  async run({ hre, system, cast, narrator }) {
    const provider = hre.ethers.provider;
    const chainId = (await provider.getNetwork()).chainId;
    const registry = system.consentRegistry;
    const registryAddress = await registry.getAddress();
    const [stMarys, clinic] = await Promise.all([walletOf(cast.hospital), walletOf(cast.investigator)]);
    const anchor = system.vaultAnchor.connect(stMarys);
    narrator.say(`The vault anchor is deployed at ${await anchor.getAddress()} (record commitments and log heads).`);

    // Alice's wallet derives one account per relationship; St. Mary's knows only hers.
    const identity = aliceIdentity(chainId);
    const alice = identity.account({ kind: "provider", provider: stMarys.address });
    narrator.say(`${CAST_NAMES.alice}'s account with ${CAST_NAMES.hospital}: ${alice.address} (holds no ETH).`);
    const labs = categorySet("LAB_RESULTS", "CONDITIONS");
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const consentTo = async (grantee: string) => {
      const terms = {
        patient: alice.address,
        grantee,
        purpose: PURPOSES.TREATMENT,
        categories: labs,
        startsAt: now,
        expiresAt: NO_EXPIRY,
      };
      const document = commit({ resourceType: "Consent", status: "active", grantee: { display: grantee } });
      const signed = await signGrant(alice, registry.connect(cast.relayer), {
        ...terms,
        documentCommitment: document.commitment,
      });
      await relayGrant(registry.connect(cast.relayer), signed);
    };
    await consentTo(stMarys.address);
    narrator.say(`She consents ${CAST_NAMES.hospital} to treatment use of ${categoryNames(labs).join(", ")}.`);

    // The vault St. Mary's runs: an embedded database, consent checked on chain at every request.
    const db = await openSql(":memory:");
    const store = await VaultStore.open(db);
    const chain = new ChainView(provider as unknown as ChainProvider, {
      rpcUrl: "hardhat",
      consentRegistry: registryAddress,
      vaultAnchor: await anchor.getAddress(),
      chainId,
    });
    const operator = await walletOf(cast.admin);
    const vault = buildVault({ store, chain, chainId, consentRegistry: registryAddress, operator });
    const url = await vault.app.listen({ host: "127.0.0.1", port: 0 });
    narrator.say(`${CAST_NAMES.hospital}'s vault listens on ${url}; it stores ciphertext only.`);
    try {
      const client = (wallet: BaseWallet) =>
        new VaultClient({ url, wallet, chainId, consentRegistry: registryAddress, vaultAnchor: anchor });
      const aliceVault = client(alice);
      const stMarysVault = client(stMarys);
      const clinicVault = client(clinic);

      const records = [
        {
          resourceType: "Observation",
          status: "final",
          code: { coding: [{ system: "http://loinc.org", code: "4548-4", display: "Hemoglobin A1c" }] },
          valueQuantity: { value: 6.1, unit: "%" },
        },
        {
          resourceType: "Condition",
          code: { coding: [{ system: "http://snomed.info/sct", code: "15777000", display: "Prediabetes" }] },
        },
      ];
      const ids: string[] = [];
      for (const resource of records) {
        const { recordId } = await stMarysVault.put(resource, {
          patient: alice.address,
          categories: categorySet(resource.resourceType === "Observation" ? "LAB_RESULTS" : "CONDITIONS"),
          readers: [aliceVault.asReader],
        });
        ids.push(recordId);
        narrator.fact(`${resource.resourceType} stored, id = anchored commitment`, recordId);
      }
      const stored = await store.counts();
      narrator.fact("vault rows (records, wrapped keys)", `${stored.records}, ${stored.keys}`);

      // A second provider: no consent yet, so the vault refuses.
      const refusedBefore = await clinicVault.get(ids[0], { patient: alice.address }).catch((e: unknown) => e);
      check(
        refusedBefore instanceof VaultRequestError && refusedBefore.problem === "consent-missing",
        "a provider without consent was served",
      );
      narrator.say(`A second hospital, Dr. Osei's clinic, asks first: refused (${(refusedBefore as Error).message}).`);

      // Alice consents, from her St. Mary's account (her choice to link the clinic to it), and wraps the keys for it.
      await consentTo(clinic.address);
      const announcement = await clinic.signMessage(keyAnnouncement(clinic.address, chainId));
      const clinicKey = publicKeyFromSignature(clinic.address, chainId, announcement);
      for (const recordId of ids) {
        await aliceVault.grantAccess(recordId, {
          patient: alice.address,
          readers: [{ address: clinic.address, publicKey: clinicKey }],
        });
      }
      narrator.say(`${CAST_NAMES.alice} consents the clinic on chain and wraps each record's key for its public key.`);
      const opened = await clinicVault.list({ patient: alice.address, categories: labs });
      check(opened.length === 2, `the clinic read ${opened.length} records, not 2`);
      for (const r of opened) narrator.fact(`clinic decrypted and verified ${r.resource.resourceType}`, r.recordId);

      // She revokes: the vault refuses from the block that mines it.
      await aliceVault.revoke(registry.connect(cast.relayer), clinic.address);
      const refusedAfter = await clinicVault.get(ids[0], { patient: alice.address }).catch((e: unknown) => e);
      check(
        refusedAfter instanceof VaultRequestError && refusedAfter.problem === "consent-missing",
        "the clinic was served after the revocation",
      );
      narrator.say("She revokes; the clinic's next read is refused, answered at the block that mined the revocation.");

      // The disclosure log, anchored on chain, fetched and checked by Alice.
      const anchored = await vault.anchorLog();
      const log = await aliceVault.auditLog(alice.address);
      const byClinic = log.events.filter(
        (e) =>
          e.subtype?.[0].code === "Read" && e.agent[0].who?.identifier?.value?.endsWith(clinic.address.toLowerCase()),
      );
      const served = byClinic.filter((e) => e.outcome === "0").length;
      const refused = byClinic.filter((e) => e.outcome === "4").length;
      check(served === 2 && refused === 2, `log shows ${served} served and ${refused} refused reads by the clinic`);
      narrator.fact(
        "log entries",
        `${log.length}, the first ${anchored?.length ?? 0} anchored on chain (the last one is this fetch)`,
      );
      narrator.fact("clinic's reads in Alice's log", `${served} served, ${refused} refused`);
    } finally {
      await vault.app.close();
      chain.stop();
      await db.close();
    }
  },
};
