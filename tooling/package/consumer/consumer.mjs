/* global process, console */
// A dApp's plain Node ES module, as a consumer of the installed package, using viem: commit a FHIR Consent, sign
// the grant with a fresh local key (no ether), relay it from a node account, read it back.
import { createPublicClient, createWalletClient, defineChain, getAddress, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { NO_EXPIRY, PURPOSES, addressesFor, categorySet, commitConsentDocument, signGrant } from "health-ledger";
import { readConsentViem, relayGrantViem, viemConsentReader, viemTypedDataSigner } from "health-ledger/viem";

const url = process.env.HEALTH_LEDGER_NODE_URL;
const transport = http(url);
const probe = createPublicClient({ transport });
const chain = defineChain({
  id: await probe.getChainId(),
  name: "node",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } },
});
const client = createPublicClient({ chain, transport });
const addresses = addressesFor(chain.id, JSON.parse(process.env.HEALTH_LEDGER_ADDRESSES ?? "{}"));
const [, , grantee, relayerAddress] = await client.request({ method: "eth_accounts" });
const patient = createWalletClient({ chain, transport, account: privateKeyToAccount(generatePrivateKey()) });
const relayer = createWalletClient({ chain, transport, account: getAddress(relayerAddress) });

const terms = {
  patient: patient.account.address,
  grantee: getAddress(grantee),
  purpose: PURPOSES.RESEARCH,
  categories: categorySet("CONDITIONS"),
  startsAt: 1n,
  expiresAt: NO_EXPIRY,
};
const { commitment } = commitConsentDocument(terms);
const reader = viemConsentReader(client, addresses.consentRegistry);
const signed = await signGrant(viemTypedDataSigner(patient), reader, {
  ...terms,
  documentCommitment: commitment.commitment,
});
const { version } = await relayGrantViem(relayer, client, addresses.consentRegistry, signed);
const stored = await readConsentViem(client, addresses.consentRegistry, terms);
console.log(JSON.stringify({ client: "viem", relayedVersion: String(version), storedVersion: String(stored.version) }));
