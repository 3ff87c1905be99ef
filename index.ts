export * from "./provider";
export * from "./sdk";
