/**
 * An ES module that openai-sdk.ts both imports and requires: the two give the same object when require of
 * an ES module returns the module Node evaluated (plain Node ≥ 20.19), and two objects when a require hook
 * compiles ES modules to CommonJS (tsx, ts-node) or require cannot load it (older Node, a test runner's
 * TypeScript sources).
 */
export const probe = {};
