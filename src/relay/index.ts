export * from "./forwarder";
