/**
 * The ABIs of the deployed contracts as typed `const` objects, generated from the compiled contracts: viem infers
 * every argument and return type from them (`readContract({ abi: consentRegistryAbi, functionName: "consent" })`);
 * ethers takes them as they are (`new Contract(address, consentRegistryAbi, runner)`).
 */
export * from "../generated/abi";
export * from "./errors";
