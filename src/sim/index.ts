/** The bundled OpenAI-compatible simulator (`streameval sim`): a loopback server for demos, tests and dry runs. */
export { startSim, type SimServer, type SimStats } from "./server.js";
export { validateSimOptions, isLoopback, type SimOptions, type ResolvedSimOptions, type AnswerKey } from "./options.js";
export { parseSimFlags, type SimFlags } from "./flags.js";
export type { Fault, FaultHook, SimRequest } from "./faults.js";
export { loadAnswerKeyFile, type AnswerKeyFields } from "./answer-key-file.js";
export { tokenize, countTokens, countChatTokens } from "./tokens.js";
