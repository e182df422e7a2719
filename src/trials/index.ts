export { CommitmentKind, ParticipantStatus, TrialStatus } from "../constants";
export * from "./dataset";
export * from "./outcomes";
export * from "./participants";
export * from "./payloads";
export * from "./permissions";
export * from "./purposes";
export * from "./report";
export * from "./stipends";
