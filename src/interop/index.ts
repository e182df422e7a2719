export * from "./gs1";
