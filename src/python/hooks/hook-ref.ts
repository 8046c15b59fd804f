import path from "node:path";

/**
 * A `!function module.name` tag of a task YAML, resolved as lm-eval 0.4.13's loader does
 * (lm_eval/tasks/_yaml_loader.py): the file MODULE.py (dots in MODULE are folders: `a.b.f` → a/b.py) in
 * the folder of the YAML file holding the tag (an included file's own folder, when the tag is in an
 * included file); when there is no such file, the importable module MODULE (`import a.b`). Where it was
 * written is kept for messages: `hellaswag.yaml:9`.
 */
export class PythonHook {
  /** The module: every part of the spec but the last (`a.b` of `a.b.f`). */
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

  /** The module's file beside the YAML: `DIR/a/b.py` for `a.b.f`. */
  get modulePath(): string {
    return path.join(this.dir, `${this.module.replaceAll(".", "/")}.py`);
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
