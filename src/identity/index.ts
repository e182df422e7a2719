export * from "./derive";
export * from "./recover";
