export * from "./config-error.js";
export * from "./task-input-error.js";
