import { z } from "../zod.js";
import { defineTool, toolRegistry, type ToolRegistry } from "./tools.js";

/**
 * `calculator`: evaluates arithmetic (`+ - * / % ^`, parentheses, decimals) with a small parser.
 * The expression is parsed as arithmetic only, never run as code.
 */
export const calculator = defineTool({
  name: "calculator",
  description: "Evaluate an arithmetic expression with + - * / % ^ and parentheses, e.g. (2 + 3) * 4.",
  parameters: z.object({ expression: z.string().min(1).max(1000).describe("The arithmetic expression") }),
  run: async ({ expression }) => String(evaluateArithmetic(expression)),
});

/** The tools the CLI offers by name (`agent.tools` in a task file). Code callers pass their own registry. */
export const builtinTools: ToolRegistry = toolRegistry([calculator]);

/** Arithmetic by recursive descent; throws a SyntaxError naming the position of anything else. */
export function evaluateArithmetic(text: string): number {
  const tokens = text.match(/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+|[-+*/%^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at token ${i + 1} of ${JSON.stringify(text)}`);
  };
  const primary = (): number => {
    const t = tokens[i++];
    if (t === undefined) return fail("unexpected end");
    if (t === "(") {
      const v = sum();
      if (tokens[i++] !== ")") fail("expected )");
      return v;
    }
    if (t === "-") return -power();
    if (t === "+") return power();
    if (/^[\d.]/.test(t)) return Number(t);
    return fail(`unexpected ${JSON.stringify(t)}`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() === "^") {
      i++;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    for (let op = peek(); op === "*" || op === "/" || op === "%"; op = peek()) {
      i++;
      const r = power();
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      i++;
      const r = product();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  if (i < tokens.length) fail(`unexpected ${JSON.stringify(tokens[i])}`);
  return value;
}
