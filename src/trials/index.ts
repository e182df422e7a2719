export * from "./dataset";
export * from "./outcomes";
export * from "./payloads";
export * from "./permissions";
export * from "./purposes";
export * from "./report";
