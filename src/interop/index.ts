export * from "./gs1";
export * from "./fhir-consent";
