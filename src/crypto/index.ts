export * from "./hex";
export * from "./keccak";
export * from "./words";
