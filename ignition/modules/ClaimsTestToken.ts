import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** A freely mintable 6-decimal test dollar, the payment token of local deployments (never on a public network). */
export default buildModule("ClaimsTestToken", (m) => {
  const paymentToken = m.contract("ClaimsTestToken");
  return { paymentToken };
});
