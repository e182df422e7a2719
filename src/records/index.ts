export * from "./commitment";
export * from "./types";
