// solidity-coverage: test-only contracts (hostile tokens, wallets, harnesses, peers) are not measured.
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["html", "json-summary", "text-summary", "lcov"],
  configureYulOptimizer: true,
};
