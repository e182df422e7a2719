export * from "./commitment";
export * from "./errors";
export * from "./file-store";
export * from "./memory-store";
export * from "./store";
export * from "./types";
