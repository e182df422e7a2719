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

describe("networksFromEnv for any network", function () {
  const vars = (values: Record<string, string>) => ({ has: (k: string) => k in values, get: (k: string) => values[k] });

  it("adds a custom network (an L2, a local node) from its URL and expected chain id", function () {
    const nets = networksFromEnv({ BASE_SEPOLIA_RPC_URL: "https://base.example", BASE_SEPOLIA_CHAIN_ID: "84532" });
    expect(nets["base-sepolia"]).to.deep.equal({ url: "https://base.example", chainId: 84532, accounts: [] });
  });

  it("reads Hardhat configuration variables when the environment does not set them", function () {
    const nets = networksFromEnv(
      {},
      vars({ HEALTH_LEDGER_NETWORKS: "devnet", DEVNET_RPC_URL: "http://10.0.0.5:8545", DEVNET_CHAIN_ID: "1337" }),
    );
    expect(nets.devnet).to.deep.equal({ url: "http://10.0.0.5:8545", chainId: 1337, accounts: [] });
  });

  it("ignores another tool's <NAME>_RPC_URL that has no chain id, and keeps localhost for HEALTH_LEDGER_NODE_URL", function () {
    expect(networksFromEnv({ ETH_RPC_URL: "http://127.0.0.1:8545" })).to.deep.equal({});
    expect(networksFromEnv({ LOCALHOST_RPC_URL: "http://x", LOCALHOST_CHAIN_ID: "1" })).to.deep.equal({});
  });

  it("says which setting is missing or wrong", function () {
    expect(() => networksFromEnv({ HEALTH_LEDGER_NETWORKS: "devnet" })).to.throw(/set DEVNET_RPC_URL/);
    expect(() => networksFromEnv({ HEALTH_LEDGER_NETWORKS: "devnet", DEVNET_RPC_URL: "http://x" })).to.throw(
      /needs the chain id you expect there: set DEVNET_CHAIN_ID/,
    );
    expect(() => networksFromEnv({ SEPOLIA_RPC_URL: "https://x", SEPOLIA_CHAIN_ID: "1" })).to.throw(
      /SEPOLIA_CHAIN_ID is 1 but sepolia is chain 11155111/,
    );
    expect(() => networksFromEnv({ X_RPC_URL: "https://x", X_CHAIN_ID: "0x10" })).to.throw(
      /X_CHAIN_ID must be a positive integer/,
    );
  });
});
