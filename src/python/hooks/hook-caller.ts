import type { PythonHook } from "./hook-ref.js";

/** What the hook stages need of a HookPool: a request to a worker, and each hook's key there. */
export interface HookCaller {
  call(op: string, payload: Record<string, unknown>): Promise<unknown>;
  keyOf(hook: PythonHook): string;
}

/**
 * What a media hook yields, so the worker can encode a numpy array it returns: as PNG for `image`, as
 * WAV for `audio`, and by shape for lmms-eval's `visual` (1-D: audio).
 */
export type MediaHookKind = "image" | "audio" | "visual";

/** One call's outcome in a `call` request's result. */
export type CallOutcome = { readonly ok: unknown } | { readonly error: string };

/**
 * The `call` op: each call's value or its error (the traceback's last line), in order. `optionalArgs`
 * follow `args` only when the function takes them (lmms-eval passes its prompt settings that way).
 */
export async function callHooks(
  caller: HookCaller,
  calls: readonly { hook: PythonHook; args?: readonly unknown[]; kwargs?: Record<string, unknown>; optionalArgs?: readonly unknown[]; media?: MediaHookKind }[],
): Promise<CallOutcome[]> {
  if (calls.length === 0) return [];
  const result = await caller.call("call", {
    calls: calls.map((c) => ({
      hook: caller.keyOf(c.hook),
      args: c.args ?? [],
      kwargs: c.kwargs ?? {},
      ...(c.optionalArgs?.length ? { optional_args: c.optionalArgs } : {}),
      ...(c.media ? { media: c.media } : {}),
    })),
  });
  return result as CallOutcome[];
}

/** A Python tuple, for hooks that unpack one (`ll, is_greedy = result`). */
export const pyTuple = (...items: unknown[]): { $tuple: unknown[] } => ({ $tuple: items });
