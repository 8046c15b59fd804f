import { limitsRequest, type SandboxLimits } from "./limits.js";

/**
 * The hook worker's environment for code execution, after HF evaluate's convention: with
 * `--allow-code-execution`, HF_ALLOW_CODE_EVAL="1" (which `evaluate.load("code_eval").compute` requires)
 * and the sandbox's limits and concurrency in STREAMEVAL_SANDBOX_LIMITS for streameval's `evaluate`
 * shim; without it, neither, even when the user's own environment sets HF_ALLOW_CODE_EVAL. Pure.
 */
export function withCodeExecution(env: NodeJS.ProcessEnv, allowed: boolean, limits?: SandboxLimits, concurrency?: number): NodeJS.ProcessEnv {
  const { HF_ALLOW_CODE_EVAL: _allow, STREAMEVAL_SANDBOX_LIMITS: _limits, ...rest } = env;
  if (!allowed) return rest;
  const request = { ...(limits ? limitsRequest(limits) : {}), ...(concurrency === undefined ? {} : { concurrency }) };
  return { ...rest, HF_ALLOW_CODE_EVAL: "1", STREAMEVAL_SANDBOX_LIMITS: JSON.stringify(request) };
}
