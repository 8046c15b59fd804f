/** What one sandboxed program may use. The launcher (launch.py) applies them; docs/code-execution.md lists them. */
export interface SandboxLimits {
  /** The program's own timer (HF evaluate's `timeout`, default 3 s); the wall-clock kill comes 2 s later. */
  readonly timeoutS: number;
  /** Address space (RLIMIT_AS). */
  readonly memoryMb: number;
  /** Processes the program may start (RLIMIT_NPROC above the user's count when it starts). */
  readonly maxProcs: number;
  /** Characters written to stdout/stderr before the program fails (printing is swallowed, as in HF). */
  readonly maxOutputBytes: number;
  /** Largest file the program may write (RLIMIT_FSIZE). */
  readonly maxFileBytes: number;
  /** Size of its working folder (a tmpfs, where the OS allows a mount namespace). */
  readonly diskMb: number;
}

/** The limits a generated program runs under unless --code-timeout / --code-memory-mb say otherwise. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeoutS: 3,
  memoryMb: 1024,
  maxProcs: 16,
  maxOutputBytes: 1 << 20,
  maxFileBytes: 16 << 20,
  diskMb: 64,
};

/** The launcher's request fields (snake_case, as launch.py reads them). */
export function limitsRequest(limits: SandboxLimits): Record<string, number> {
  return {
    timeout_s: limits.timeoutS,
    memory_mb: limits.memoryMb,
    max_procs: limits.maxProcs,
    max_output_bytes: limits.maxOutputBytes,
    max_file_bytes: limits.maxFileBytes,
    disk_mb: limits.diskMb,
  };
}
