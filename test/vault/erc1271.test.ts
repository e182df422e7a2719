import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { VaultClient } from "../../src/vault";
import { startVault, type RunningVault } from "../../src/vault/service";
import { ConsentWallet__factory, type ConsentWallet } from "../../typechain-types";
import { LABS, grantConsent, labResult, nodeAccount, refused, startVaultWorld, type VaultWorld } from "./setup";

describe("Vault readers that are contract wallets (ERC-1271)", function () {
  this.timeout(180_000);
  let world: VaultWorld;
  let running: RunningVault;
  let dir: string;
  let safe: ConsentWallet;
  let safeAddress: string;
  const owner = new Wallet(Wallet.createRandom().privateKey);

  before(async function () {
    world = await startVaultWorld();
    dir = mkdtempSync(join(tmpdir(), "vault-1271-"));
    running = await startVault({
      rpcUrl: world.node.url,
      consentRegistry: world.system.consentRegistry,
      vaultAnchor: world.anchorAddress,
      db: join(dir, "vault.sqlite"),
      port: 0,
      anchorIntervalMs: 0,
    });
    safe = await new ConsentWallet__factory(nodeAccount(7, world.provider)).deploy(owner.address);
    await safe.waitForDeployment();
    safeAddress = await safe.getAddress();
  });

  after(async function () {
    await running?.close();
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (wallet: Wallet, account?: string) =>
    new VaultClient({
      url: running.url,
      wallet,
      account,
      chainId: world.chainId,
      consentRegistry: world.system.consentRegistry,
      vaultAnchor: world.anchor.connect(world.stMarys),
    });

  it("serves a wallet the patient consented to, on its owner's signature; refuses once the wallet refuses", async function () {
    await grantConsent(world, world.stMarys.address);
    await grantConsent(world, safeAddress);
    const stMarys = new VaultClient({
      url: running.url,
      wallet: world.stMarys,
      chainId: world.chainId,
      consentRegistry: world.system.consentRegistry,
      vaultAnchor: world.anchor.connect(world.stMarys),
    });
    const asSafe = client(owner, safeAddress);
    expect(asSafe.asReader.address).to.equal(safeAddress);
    const { recordId } = await stMarys.put(labResult(4.2), {
      patient: world.alice.address,
      categories: LABS,
      readers: [asSafe.asReader],
    });

    const record = await asSafe.get(recordId, { patient: world.alice.address });
    expect(record.resource).to.deep.equal(labResult(4.2));

    // The owner as itself has no consent; a stranger's key cannot speak for the wallet.
    await refused(client(owner).get(recordId, { patient: world.alice.address }), "consent-missing");
    const stranger = new Wallet(Wallet.createRandom().privateKey);
    await refused(client(stranger, safeAddress).get(recordId, { patient: world.alice.address }), "bad-signature");

    // The wallet's own rule decides: switched to refuse, its owner's signature no longer counts.
    await (await safe.connect(nodeAccount(7, world.provider)).setRefuse(true)).wait();
    await refused(asSafe.get(recordId, { patient: world.alice.address }), "bad-signature");
  });
});
