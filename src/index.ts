export type * from "./types.js";
export type * from "./events.js";
export type * from "./models/types.js";
export type * from "./tasks/types.js";
export * from "./errors/index.js";
