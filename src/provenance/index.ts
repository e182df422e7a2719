export * from "./client";
export * from "./fhir";
export * from "./gs1";
export * from "./permissions";
export * from "./serials";
export * from "./trace";
