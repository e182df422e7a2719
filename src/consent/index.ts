export * from "./categories";
export * from "./fhir";
export * from "./history";
export * from "./permissions";
export * from "./purposes";
export * from "./relayer";
export * from "./signing";
