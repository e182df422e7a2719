// A dApp's TypeScript, as a consumer of the installed package (type-checked with `tsc --strict`, run as CommonJS):
// commit a FHIR Consent, sign the grant as a patient with no ether, relay it, read it back.
import { JsonRpcProvider, Wallet } from "ethers";
import {
  NO_EXPIRY,
  PURPOSES,
  addressesFor,
  categorySet,
  commitConsentDocument,
  relayGrant,
  signGrant,
  verify,
  type ConsentTerms,
  type DeploymentAddresses,
} from "health-ledger";
import { ConsentRegistry__factory } from "health-ledger/typechain";

async function main(): Promise<void> {
  const provider = new JsonRpcProvider(process.env.HEALTH_LEDGER_NODE_URL);
  const { chainId } = await provider.getNetwork();
  const overrides = JSON.parse(process.env.HEALTH_LEDGER_ADDRESSES ?? "{}") as Partial<DeploymentAddresses>;
  const addresses = addressesFor(chainId, overrides);
  const relayer = await provider.getSigner(1);
  const patient = Wallet.createRandom();
  const registry = ConsentRegistry__factory.connect(addresses.consentRegistry, relayer);
  const terms: ConsentTerms = {
    patient: patient.address,
    grantee: (await provider.getSigner(2)).address,
    purpose: PURPOSES.TREATMENT,
    categories: categorySet("CONDITIONS", "MEDICATIONS"),
    startsAt: 1n,
    expiresAt: NO_EXPIRY,
  };
  const { document, commitment } = commitConsentDocument(terms);
  if (!verify(document, commitment.salt, commitment.commitment)) throw new Error("the commitment does not open");
  const signed = await signGrant(patient, registry, { ...terms, documentCommitment: commitment.commitment });
  const { version } = await relayGrant(registry, signed);
  const stored = await registry.consent(terms.patient, terms.grantee, terms.purpose);
  console.log(
    JSON.stringify({ client: "ethers", relayedVersion: String(version), storedVersion: String(stored.version) }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
