import path from "node:path";

/**
 * A `!function module.name` tag of a task YAML: the Python function lm-eval would import from
 * MODULE.py in the folder of the YAML file holding the tag (an included file's own folder, when the tag
 * is in an included file). Where it was written is kept for messages: `hellaswag.yaml:9`.
 */
export class PythonHook {
  /** The module's file name without `.py` (lm-eval joins every part but the last: `a.b.f` → `a.b.py`). */
  readonly module: string;
  readonly name: string;
  constructor(
    /** `utils.process_docs`, as written. */
    readonly spec: string,
    /** The folder of the YAML file holding the tag. */
    readonly dir: string,
    /** That YAML file as messages name it, and the tag's line. */
    readonly file: string,
    readonly line: number | undefined,
    /** The key holding the tag: `process_docs`, `metric_list[0].metric`. */
    readonly key?: string,
  ) {
    const parts = spec.split(".");
    this.name = parts.pop() ?? "";
    this.module = parts.join(".");
  }

  /** The module's path: `DIR/MODULE.py`. */
  get modulePath(): string {
    return path.join(this.dir, `${this.module}.py`);
  }

  /** One key per distinct function (the worker caches modules by file). */
  get id(): string {
    return `${this.modulePath}:${this.name}`;
  }

  /** `hellaswag.yaml:9` */
  get where(): string {
    return this.line === undefined ? this.file : `${this.file}:${this.line}`;
  }

  /** `!function utils.process_docs` */
  get tag(): string {
    return `!function ${this.spec}`;
  }

  toString(): string {
    return this.tag;
  }

  /** In a task's JSON (the run fingerprint, `runs show`): the tag as written. */
  toJSON(): string {
    return this.tag;
  }
}

export const isPythonHook = (v: unknown): v is PythonHook => v instanceof PythonHook;
