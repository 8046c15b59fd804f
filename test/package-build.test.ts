import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The compiler options a tsconfig file resolves to (its `extends` followed), as `tsc -p` reads them. */
function optionsOf(config: string): ts.CompilerOptions {
  const file = ts.readConfigFile(`${root}${config}`, (p) => ts.sys.readFile(p));
  return ts.parseJsonConfigFileContent(file.config, ts.sys, root, undefined, `${root}${config}`).options;
}

// V8 keeps every loaded module's source text as long as the process lives: the package's comments were live heap
// in every program that imports it (docs/benchmarks.md, "evaluate() over a million lines").
describe("the package build", () => {
  it("emits the JavaScript without comments and the declarations with them, both from `npm run build`", async () => {
    const pkg = JSON.parse(await readFile(`${root}package.json`, "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain("tsc -p tsconfig.build.json");
    expect(pkg.scripts.build).toContain("tsc -p tsconfig.build-js.json");

    const source = await readFile(`${root}src/run-evaluation.ts`, "utf8");
    expect(source).toContain("/**");
    const js = ts.transpileModule(source, { compilerOptions: optionsOf("tsconfig.build-js.json") }).outputText;
    expect(js).toContain("function runEvaluation(");
    expect(js.replace(/^\/\/# sourceMappingURL=.*$/m, "")).not.toMatch(/\/\*|^\s*\/\//m);

    const types = optionsOf("tsconfig.build.json");
    expect(types.declaration).toBe(true);
    expect(types.emitDeclarationOnly).toBe(true);
    expect(types.removeComments).toBeFalsy();
  });
});
