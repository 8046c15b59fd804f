/** What the launcher applied around a program: the sandbox's isolation, as far as the OS allowed it. */
export interface Isolation {
  /** Namespaces made: "net,pid,ipc", or "" when the OS refused them all. */
  readonly namespaces: string;
  /** True when they hang off a user namespace (not root: what `unshare -rn` does). */
  readonly user_namespace: boolean;
  /** "read-only-root", "tmpfs-workdir", "private-proc": those the mount namespace got. */
  readonly filesystem?: readonly string[];
  readonly capabilities_dropped?: boolean;
  readonly namespace_error?: string;
  readonly filesystem_error?: string;
  readonly setup_error?: string;
  /** The interpreter that ran the program. */
  readonly python?: string;
}

/** One program's outcome, as HF evaluate's code_eval records it (`result`), plus the sandbox's own notes. */
export interface Verdict {
  readonly passed: boolean;
  /** "passed", "failed: <exception>" or "timed out": HF's strings. */
  readonly result: string;
  /** Why there was no verdict from the program (killed at the wall-clock limit …), else "". */
  readonly detail: string;
  readonly isolation: Isolation;
  readonly wall_ms: number;
}

/** One line for the log and the docs: which isolation is in force. */
export function describeIsolation(i: Isolation): string {
  const parts: string[] = [];
  if (i.namespaces) parts.push(`namespaces ${i.namespaces}${i.user_namespace ? " (in a user namespace)" : ""}: no network`);
  else parts.push(`NO network isolation (${i.namespace_error ?? "namespaces refused"})`);
  const fs = i.filesystem ?? [];
  if (fs.includes("read-only-root")) parts.push("filesystem read-only");
  else parts.push("filesystem writable where the user may write");
  if (fs.includes("tmpfs-workdir")) parts.push("working folder a fresh tmpfs");
  else parts.push("working folder a fresh temporary folder");
  if (fs.includes("private-proc")) parts.push("own /proc");
  if (i.capabilities_dropped) parts.push("root capabilities dropped");
  parts.push("rlimits cpu/memory/processes/file size", "minimal environment");
  return `code execution sandbox: ${parts.join(", ")} (not a container; see docs/code-execution.md)`;
}
