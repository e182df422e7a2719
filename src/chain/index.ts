export * from "./contract-events";
export * from "./logs";
export * from "./rpc";
