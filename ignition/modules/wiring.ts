import type { IgnitionModuleBuilder, CallableContractFuture, ContractCallFuture } from "@nomicfoundation/ignition-core";
import { authorityRules } from "../../src/authority/permissions";
import { ruleRoleId, selectorOf } from "../../src/authority/rules";

/**
 * Adds, to an Ignition module, the `setTargetFunctionRole` calls that map `contractName`'s restricted functions to
 * their roles, read from the same table as the TypeScript wiring helper (src/authority/permissions.ts).
 */
export function wireContract(
  m: IgnitionModuleBuilder,
  authority: CallableContractFuture<string>,
  contract: CallableContractFuture<string>,
  contractName: string,
): ContractCallFuture<string, string>[] {
  return authorityRules()
    .filter((rule) => rule.contract === contractName)
    .map((rule, i) =>
      m.call(authority, "setTargetFunctionRole", [contract, rule.functions.map(selectorOf), ruleRoleId(rule)], {
        id: `wire_${contractName}_${i}`,
      }),
    );
}
