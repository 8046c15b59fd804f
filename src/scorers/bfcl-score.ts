import type { ToolCall } from "../types.js";
import { type BfclFunction, type CheckOptions, type CheckResult, type PossibleParams, simpleAstCheck } from "./bfcl-checker.js";
import { parsePyJson } from "../python/json.js";
import { type PyDict, toPlainJson } from "../python/value.js";

/** How one reply's tool calls scored against a BFCL possible answer. */
export interface CallScore {
  /** 1 when the checker accepts the call, else 0 (BFCL's per-sample accuracy). */
  readonly score: 0 | 1;
  readonly check: CheckResult;
  /** The calls as decoded (`{name: arguments}`), for the result line. */
  readonly calls: readonly Record<string, unknown>[];
}

/**
 * Scores a reply as BFCL scores an FC model in the simple category: each tool call decodes to
 * `{name: json.loads(arguments)}` (a reply without tool calls, or arguments that are not JSON,
 * fail as `ast_decoder:decoder_failed`), then `simpleAstCheck`. Pure.
 */
export function scoreSimpleCall(toolCalls: readonly ToolCall[] | undefined, func: BfclFunction, possible: PossibleParams, options: CheckOptions): CallScore {
  if (!toolCalls?.length) {
    return { score: 0, calls: [], check: { valid: false, error: ["Invalid syntax. Failed to decode AST. The reply holds no tool call."], error_type: "ast_decoder:decoder_failed" } };
  }
  const decoded: PyDict[] = [];
  for (const call of toolCalls) {
    try {
      decoded.push(new Map([[call.function.name, parsePyJson(call.function.arguments)]]));
    } catch (e) {
      const calls = toolCalls.map((c) => ({ [c.function.name]: c.function.arguments }));
      return { score: 0, calls, check: { valid: false, error: [`Invalid syntax. Failed to decode AST. ${(e as Error).message}`], error_type: "ast_decoder:decoder_failed" } };
    }
  }
  const check = simpleAstCheck(func, decoded, possible, options);
  return { score: check.valid ? 1 : 0, check, calls: decoded.map((d) => toPlainJson(d) as Record<string, unknown>) };
}
