export * from "./attempt-timeout-error.js";
export * from "./classify-api-error.js";
export * from "./config-error.js";
export * from "./model-call-error.js";
export * from "./task-input-error.js";
export * from "./budget-exhausted-error.js";
export * from "./store-locked-error.js";
export * from "./reply-too-large-error.js";
