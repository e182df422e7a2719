export * from "./adjudication";
export * from "./categories";
export * from "./events";
export * from "./fhir";
export * from "./fingerprint";
export * from "./permissions";
export * from "./reasons";
