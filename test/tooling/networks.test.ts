import { expect } from "chai";
import { networksFromEnv } from "../../tooling/networks";

describe("networksFromEnv", function () {
  const key = `0x${"ab".repeat(32)}`;

  it("adds a network for each <NAME>_RPC_URL, signed by DEPLOYER_PRIVATE_KEY", function () {
    const nets = networksFromEnv({ SEPOLIA_RPC_URL: "https://rpc.example", DEPLOYER_PRIVATE_KEY: key });
    expect(nets).to.deep.equal({ sepolia: { url: "https://rpc.example", chainId: 11155111, accounts: [key] } });
  });

  it("adds nothing when no URL is set, and no accounts without a key", function () {
    expect(networksFromEnv({})).to.deep.equal({});
    expect(networksFromEnv({ HOODI_RPC_URL: "http://localhost:8545" }).hoodi.accounts).to.deep.equal([]);
  });

  it("says what is wrong with a bad URL or key", function () {
    expect(() => networksFromEnv({ SEPOLIA_RPC_URL: "sepolia.example" })).to.throw(/SEPOLIA_RPC_URL must be an http/);
    expect(() => networksFromEnv({ SEPOLIA_RPC_URL: "https://x", DEPLOYER_PRIVATE_KEY: "abc" })).to.throw(
      /DEPLOYER_PRIVATE_KEY must be 0x followed by 64 hex digits/,
    );
  });
});
