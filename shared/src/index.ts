export * from "./alerts";
export * from "./api";
export * from "./errors";
export * from "./first-screen";
export * from "./ids";
export * from "./limits";
export * from "./sync";
