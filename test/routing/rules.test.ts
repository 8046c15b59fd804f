import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/config-error.js";
import { parseRoutes } from "../../src/routing/load-routes.js";
import { chooseRoute, compileRoutes, routedModels } from "../../src/routing/rules.js";
import type { WhenMap } from "../../src/routing/conditions.js";
import type { RouteContext } from "../../src/routing/types.js";
import type { Task } from "../../src/work/task.js";

const ctx = (doc: Record<string, unknown>, opts: { tokens?: number; task?: string; prompt?: string; id?: string } = {}): RouteContext => ({
  sample: { id: opts.id ?? "s1", doc, at: { file: "f", line: 1 } },
  doc,
  task: { name: opts.task ?? "mmlu", outputType: "multiple_choice" } as Task,
  prompt: opts.prompt ?? "Question?",
  promptTokens: opts.tokens ?? 10,
});

const YAML = `routes:
  - name: long
    when:
      prompt_tokens: { gt: 3000 }
    model: big-context
  - name: stem
    when:
      task: mmlu
      doc.subject: { in: [college_physics, college_mathematics] }
    model: [strong, strong-2]
  - name: chat-tasks
    when:
      any:
        - output_type: generate_until
        - doc.meta.lang: { matches: "^(de|fr)$" }
    model: chat
  - name: rest
    model: small
`;

describe("routing rules", () => {
  const rules = parseRoutes(YAML, "routes.yaml");

  it("sends each sample to the first rule it matches", () => {
    expect(chooseRoute(rules, ctx({ subject: "college_physics" }, { tokens: 5000 }))).toEqual({ rule: "long", models: ["big-context"] });
    expect(chooseRoute(rules, ctx({ subject: "college_physics" }))).toEqual({ rule: "stem", models: ["strong", "strong-2"] });
    expect(chooseRoute(rules, ctx({ subject: "college_physics" }, { task: "other" }))).toEqual({ rule: "rest", models: ["small"] });
    expect(chooseRoute(rules, ctx({ meta: { lang: "fr" } }))).toEqual({ rule: "chat-tasks", models: ["chat"] });
    expect(chooseRoute(rules, ctx({ meta: { lang: "french" } }))).toEqual({ rule: "rest", models: ["small"] });
    expect(routedModels(rules)).toEqual(["big-context", "strong", "strong-2", "chat", "small"]);
  });

  it("matches nothing when no rule holds and there is no catch-all", () => {
    const strict = compileRoutes([{ name: "long", when: { prompt_tokens: { gte: 100 } }, model: "big" }]);
    expect(chooseRoute(strict, ctx({}, { tokens: 99 }))).toBeUndefined();
    expect(chooseRoute(strict, ctx({}, { tokens: 100 }))).toEqual({ rule: "long", models: ["big"] });
  });

  it("tests operators as documented, a missing field failing all but ne, not_in and exists: false", () => {
    const one = (when: WhenMap, doc: Record<string, unknown>) => chooseRoute(compileRoutes([{ name: "r", when, model: "m" }]), ctx(doc)) !== undefined;
    expect(one({ "doc.n": 3 }, { n: 3 })).toBe(true);
    expect(one({ "doc.n": 3 }, { n: "3" })).toBe(false);
    expect(one({ "doc.n": { gt: 1, lte: 3 } }, { n: 3 })).toBe(true);
    expect(one({ "doc.n": { gt: 1, lt: 3 } }, { n: 3 })).toBe(false);
    expect(one({ "doc.n": { gt: 1 } }, { n: "9" })).toBe(false);
    expect(one({ "doc.n": { ne: 1 } }, {})).toBe(true);
    expect(one({ "doc.n": { not_in: [1, 2] } }, {})).toBe(true);
    expect(one({ "doc.n": { in: [1, 2] } }, {})).toBe(false);
    expect(one({ "doc.n": { exists: false } }, {})).toBe(true);
    expect(one({ "doc.n": { exists: true } }, { n: null })).toBe(true);
    expect(one({ "doc.turns.1": "b" }, { turns: ["a", "b"] })).toBe(true);
    expect(one({ not: { "doc.n": 1 } }, { n: 1 })).toBe(false);
    expect(one({ all: [{ "doc.a": 1 }, { "doc.b": 2 }] }, { a: 1, b: 2 })).toBe(true);
    expect(one({ all: [{ "doc.a": 1 }, { "doc.b": 2 }] }, { a: 1, b: 3 })).toBe(false);
    expect(one({ id: { matches: "^s\\d$" } }, {})).toBe(true);
    expect(one({ prompt_chars: { lt: 5 } }, {})).toBe(false);
  });

  it("takes predicates written in code", () => {
    const rules2 = compileRoutes([
      { name: "even", when: (c) => Number(c.sample.id.slice(1)) % 2 === 0, model: "a" },
      { name: "odd", model: "b" },
    ]);
    expect(chooseRoute(rules2, ctx({}, { id: "s4" }))?.rule).toBe("even");
    expect(chooseRoute(rules2, ctx({}, { id: "s5" }))?.rule).toBe("odd");
  });

  it.each([
    ["routes: []\n", "routes.yaml:1, key `routes`: expected at least one rule"],
    ["rules: []\n", "routes.yaml:1: expected a `routes:` list at the top level"],
    ["routes:\n  - name: a\n    model: m\nextra: 1\n", "routes.yaml:4, key `extra`: unknown key (a routing file has only `routes`)"],
    ["routes:\n  - name: a\n    when: {prompt_tokens: {gt: big}}\n    model: m\n", "routes.yaml:3, key `routes[0].when.prompt_tokens.gt`: Invalid input: expected number, received string"],
    ["routes:\n  - name: a\n    when:\n      doc.x: [1, 2]\n    model: m\n", "routes.yaml:4, key `routes[0].when.doc.x`: expected a value (text, number, boolean or null) or a map of operators"],
    ["routes:\n  - name: a\n    when:\n      prompt_tokens: {bigger: 3}\n    model: m\n", "routes.yaml:4, key `routes[0].when.prompt_tokens`: unknown operator `bigger`"],
    ["routes:\n  - name: a\n    when:\n      subject: x\n    model: m\n", "routes.yaml:4, key `routes[0].when.subject`: unknown selector `subject` (use prompt_tokens, prompt_chars, task, output_type, id, has_image, has_audio, image_count, doc.<field>, all, any, not)"],
    ["routes:\n  - name: a\n    model: m\n  - name: a\n    model: n\n", "routes.yaml:4, key `routes[1].name`: rule name `a` is used twice"],
    ["routes:\n  - name: a\n", "routes.yaml:2, key `routes[0].model`: required key is missing"],
    ["routes:\n  - name: a\n    model: [m, n, m]\n", "routes.yaml:3, key `routes[0].model`: model `m` is named twice"],
    ["routes:\n  - name: a\n    when: {doc.x: {matches: \"(\"}}\n    model: m\n", "key `routes[0].when.doc.x.matches`: invalid regular expression"],
    ["routes:\n  - name: a\n    models: m\n", "routes.yaml:3, key `routes[0].models`: unknown key (a rule has name, when and model)"],
  ])("reports %j with file, line and key", (text, message) => {
    let error: unknown;
    try {
      parseRoutes(text, "routes.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });
});

describe("routing on a sample's media", () => {
  const image = { type: "image", source: "/a.png", sha256: "a".repeat(64) } as const;
  const audio = { type: "audio", source: "/a.wav" } as const;
  const rules = compileRoutes([
    { name: "vision", when: { has_image: true }, model: "vlm" },
    { name: "speech", when: { has_audio: true }, model: "audio-model" },
    { name: "text", model: "llm" },
  ]);
  it("sends samples with images to the vision rule, audio to its own, text to the catch-all", () => {
    expect(chooseRoute(rules, { ...ctx({}), media: [image, image] })?.rule).toBe("vision");
    expect(chooseRoute(rules, { ...ctx({}), media: [audio] })?.rule).toBe("speech");
    expect(chooseRoute(rules, ctx({}))?.rule).toBe("text");
    const two = compileRoutes([{ name: "many", when: { image_count: { gte: 2 } }, model: "vlm" }]);
    expect(chooseRoute(two, { ...ctx({}), media: [image, image] })?.rule).toBe("many");
    expect(chooseRoute(two, { ...ctx({}), media: [image] })).toBeUndefined();
  });
});
