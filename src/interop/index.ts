export * from "./gs1";
export * from "./fhir-consent";
export * from "./x12";
export * from "./trds";
export * from "./epcis";
