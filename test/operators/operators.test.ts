import { expect } from "chai";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { DEPLOYMENTS_DIR } from "../../tooling/address-book";
import { runHardhat, type CliRun } from "../../tooling/hardhat-cli";
import { freePort, startHardhatNode, type HardhatNode } from "../shared/node";

const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

/** A failure as operators must see it: one line naming the problem, exit 1, no stack trace. */
function expectOneLineError(run: CliRun, message: RegExp): void {
  expect(run.code, run.stdout + run.stderr).to.equal(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0])
    .to.match(/^Error: /)
    .and.to.match(message);
}

describe("operator tasks against a hardhat node", function () {
  this.timeout(600_000);
  let node: HardhatNode;
  const id = `operators-test-${process.pid}`;
  const folder = join(DEPLOYMENTS_DIR, id);
  const on = (...args: string[]) =>
    runHardhat([...args, "--network", "localhost"], { HEALTH_LEDGER_NODE_URL: node.url });
  const nonce = async () => Number(await rpc(node.url, "eth_getTransactionCount", [DEPLOYER, "latest"]));

  before(async () => (node = await startHardhatNode()));
  after(async () => {
    await node?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  describe("deploy", function () {
    it("refuses each bad parameter with one line, before sending anything", async function () {
      const deploy = (...args: string[]) => on("deploy", "--deployment-id", id, ...args);
      const cases: [string[], RegExp][] = [
        [["--payment-token", "0x1234"], /--payment-token must be an address/],
        [
          ["--payment-token", ACCOUNT.toLowerCase()],
          /--payment-token is not checksummed: use 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/,
        ],
        [["--payment-token", ACCOUNT], /has no code on chain 31337: is it the token's address on this chain\?/],
        [["--guardian", "0x0000000000000000000000000000000000000000"], /--guardian must not be the zero address/],
        [["--admin-delay", "-5"], /--admin-delay must be whole seconds/],
        [
          ["--admin-delay", "7200", "--guardian-proof-delay", "7200"],
          /must exceed --admin-delay \(7200s\) by at least 900s/,
        ],
      ];
      for (const [args, message] of cases) expectOneLineError(await deploy(...args), message);
      expectOneLineError(await on("deploy", "--deployment-id", "../escape"), /--deployment-id must be letters/);
      expect(await nonce()).to.equal(0);
      expect(existsSync(folder)).to.equal(false);
    });

    it("refuses a wrong chain, a node that is down, and a network without a key", async function () {
      const custom = (name: string, url: string, chainId: string, ...args: string[]) =>
        runHardhat(["deploy", "--network", name, ...args], {
          HEALTH_LEDGER_NETWORKS: name,
          [`${name.toUpperCase()}_RPC_URL`]: url,
          [`${name.toUpperCase()}_CHAIN_ID`]: chainId,
          DEPLOYER_PRIVATE_KEY: "",
        });
      expectOneLineError(
        await custom("wrongchain", node.url, "5"),
        /expects chain 5 but .* is chain 31337: fix its RPC URL or chain id/,
      );
      expectOneLineError(
        await custom("down", `http://127.0.0.1:${await freePort()}`, "31337"),
        /Cannot reach the node of network "down" at http:\/\/127\.0\.0\.1:\d+: is it running/,
      );
      expectOneLineError(
        await custom("keyless", node.url, "31337"),
        /No account to sign with .*set DEPLOYER_PRIVATE_KEY/,
      );
      expect(await nonce()).to.equal(0);
    });

    it("refuses a value-bearing chain unless --allow-mainnet says so", async function () {
      // Mainnet cannot run here: a loopback JSON-RPC server that answers eth_chainId as chain 1 stands in for its
      // RPC endpoint (the guard reads nothing else before refusing).
      const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
          const { id } = JSON.parse(body) as { id: number };
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x1" }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      try {
        const env = {
          HEALTH_LEDGER_NETWORKS: "prod",
          PROD_RPC_URL: `http://127.0.0.1:${port}`,
          PROD_CHAIN_ID: "1",
          DEPLOYER_PRIVATE_KEY: "",
        };
        expectOneLineError(
          await runHardhat(["deploy", "--network", "prod"], env),
          /Chain 1 carries real value: nothing was sent\. Re-run with --allow-mainnet if you mean it/,
        );
        // With the flag the guard lets it through, to the next check (this network has no key).
        expectOneLineError(
          await runHardhat(["deploy", "--network", "prod", "--allow-mainnet"], env),
          /No account to sign with/,
        );
      } finally {
        server.close();
      }
    });

    it("deploys and writes the address book, then resumes, and explains a changed parameter", async function () {
      const first = await on("deploy", "--deployment-id", id, "--admin-delay", "3600");
      expect(first.code, first.stderr).to.equal(0);
      const book = JSON.parse(readFileSync(join(folder, "address-book.json"), "utf8"));
      expect(book).to.include({ chainId: 31337, deploymentId: id });
      expect(first.stdout).to.contain(`authority        ${book.authority}`);
      const sent = await nonce();

      expectOneLineError(
        await on("deploy", "--deployment-id", id, "--admin-delay", "60"),
        /was started with other parameters \(adminDelay 3600 -> 60\): re-run with the original values to finish it, or pass --deployment-id/,
      );
      const again = await on("deploy", "--deployment-id", id, "--admin-delay", "3600");
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.contain(`Resuming deployment "${id}"`);
      expect(JSON.parse(readFileSync(join(folder, "address-book.json"), "utf8"))).to.deep.equal(book);
      expect(await nonce()).to.equal(sent);

      const notAToken = await on("deploy", "--deployment-id", `${id}-b`, "--payment-token", book.authority);
      expectOneLineError(notAToken, /does not answer decimals\(\): it is not an ERC-20 token/);
    });
  });

  describe("admin operations behind the delay, addresses from the address book", function () {
    it("schedules, lists by name with the time, refuses early, executes after the delay; cancels", async function () {
      const grant = await on("roles:grant", "--role", "PROVIDER", "--account", ACCOUNT, "--deployment-id", id);
      expect(grant.stdout).to.match(
        /Scheduled: grant PROVIDER to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 \(operation (0x[0-9a-f]{64})\)/,
      );
      const operation = /operation (0x[0-9a-f]{64})/.exec(grant.stdout)![1];

      const pending = await on("admin:pending", "--deployment-id", id);
      expect(pending.stdout).to.match(
        new RegExp(
          `${operation}  authority\\.grantRole\\(PROVIDER, ${ACCOUNT}, 0\\)  by ${DEPLOYER}  executable at \\S+Z \\(in 1\\.0 h\\)`,
        ),
      );
      expectOneLineError(
        await on("admin:execute", "--operation", operation, "--deployment-id", id),
        /is not executable yet: wait until/,
      );

      await rpc(node.url, "evm_increaseTime", [3601]);
      await rpc(node.url, "evm_mine");
      const executed = await on("admin:execute", "--operation", operation, "--deployment-id", id);
      expect(executed.stdout).to.match(
        /^Executed authority\.grantRole\(PROVIDER, 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, 0\)/,
      );
      const roles = await on("roles:list", "--deployment-id", id);
      expect(roles.stdout).to.contain(`PROVIDER: ${ACCOUNT}`).and.contain(`ADMIN: ${DEPLOYER} (delay 3600 s)`);
      expect(roles.stdout).to.contain("Admin delay: 3600 s; guardian-proof delay: 2592000 s");

      const scheduled = await on(
        "admin:schedule",
        "--deployment-id",
        id,
        "--contract",
        "authority",
        "--function",
        "revokeRole",
        "--args",
        JSON.stringify(["PROVIDER", ACCOUNT]),
      );
      const revoke = /as (0x[0-9a-f]{64})/.exec(scheduled.stdout)![1];
      const cancelled = await on("admin:cancel", "--operation", revoke, "--deployment-id", id);
      expect(cancelled.stdout).to.match(/^Cancelled authority\.revokeRole\(PROVIDER, 0x70997970/);
      expect((await on("admin:pending", "--deployment-id", id)).stdout.trim()).to.equal("No pending admin operations");
    });

    it("says what is wrong with a bad role, operation, argument list or authority", async function () {
      expectOneLineError(
        await on("roles:grant", "--role", "NURSE", "--account", ACCOUNT, "--deployment-id", id),
        /Unknown role "NURSE": expected one of ADMIN/,
      );
      expectOneLineError(
        await on("admin:execute", "--operation", "0x12", "--deployment-id", id),
        /--operation must be an operation id/,
      );
      expectOneLineError(
        await on("admin:execute", "--operation", `0x${"ab".repeat(32)}`, "--deployment-id", id),
        /No pending operation 0xabab.*executed, cancelled or expired/,
      );
      expectOneLineError(
        await on(
          "admin:schedule",
          "--deployment-id",
          id,
          "--contract",
          "authority",
          "--function",
          "revokeRole",
          "--args",
          "[1]",
        ),
        /revokeRole\(uint64,address\) takes 2 arguments; --args has 1/,
      );
      expectOneLineError(
        await on("roles:list", "--authority", ACCOUNT),
        /is not a HealthLedgerAuthority .*check the address book or --authority/,
      );
      expectOneLineError(
        await on("roles:list", "--deployment-id", "nope"),
        /No complete deployment "nope" on chain 31337/,
      );

      // --verbose adds the stack trace under the one line.
      const verbose = await runHardhat(
        ["--verbose", "roles:list", "--network", "localhost", "--deployment-id", "nope"],
        {
          HEALTH_LEDGER_NODE_URL: node.url,
        },
      );
      expect(verbose.code).to.equal(1);
      expect(verbose.stderr)
        .to.match(/^Error: No complete deployment "nope"/m)
        .and.match(/\n\s+at deploymentFor \(/);
    });
  });
});
