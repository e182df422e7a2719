import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** A freely mintable 6-decimal test dollar, the payment token of local deployments (never on a public network). */
export default buildModule("TestToken", (m) => {
  const paymentToken = m.contract("TestToken", ["hlUSD", 6]);
  return { paymentToken };
});
