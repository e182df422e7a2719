import { expect } from "chai";
import { Wallet } from "ethers";
import { VaultConfigError, startVault, type VaultServiceConfig } from "../../src/vault/service";

/** Settings that pass every check made before the vault dials its node (which does not exist here). */
const base: VaultServiceConfig = {
  rpcUrl: "http://127.0.0.1:1",
  consentRegistry: Wallet.createRandom().address,
  vaultAnchor: Wallet.createRandom().address,
};

describe("Vault settings", function () {
  const refused = async (config: VaultServiceConfig, message: string | RegExp) => {
    const error = await startVault(config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(VaultConfigError);
    expect((error as Error).message).to.match(typeof message === "string" ? new RegExp(message) : message);
  };

  it("refuses an unknown head mode, naming both modes", async function () {
    await refused({ ...base, head: "sideways" as "fresh" }, /head mode "sideways" is neither fresh nor polled/);
  });

  it("refuses a poll interval that is not a positive number of milliseconds", async function () {
    for (const pollMs of [0, -5, Number.NaN]) {
      await refused({ ...base, head: "polled", pollMs }, /poll interval .* is not a positive number of milliseconds/);
    }
  });

  it("refuses an operator key that is not a private key", async function () {
    await refused({ ...base, operatorKey: "0x1234" }, /operator key is not a private key/);
  });

  it("says no node answers when the RPC URL is dead", async function () {
    await refused(base, /no JSON-RPC node answers at http:\/\/127.0.0.1:1/);
  });
});
