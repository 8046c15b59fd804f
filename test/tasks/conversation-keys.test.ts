import { describe, expect, it } from "vitest";
import { loadTask, parseTask } from "../../src/tasks/load.js";

const fail = (text: string) => () => parseTask(text, "t.yaml");

describe("conversation task keys", () => {
  it("loads the bundled mt_bench and bfcl_simple", async () => {
    const mt = await loadTask("mt_bench");
    expect(mt).toMatchObject({ outputType: "generate_until_multi_round", generation: { stop: [], max_tokens: 1024 } });
    expect(mt.config.judge).toMatchObject({ model: "gpt-4", temperature: 0, max_tokens: 2048, reference_categories: ["math", "reasoning", "coding"] });
    const bfcl = await loadTask("bfcl_simple");
    expect(bfcl).toMatchObject({ outputType: "tool_use", generation: { temperature: 0.001 } });
  });

  it("names the file, line and key of a problem", () => {
    expect(fail("task: t\noutput_type: multiple_choice\ndoc_to_text: q\ndoc_to_target: a\ndoc_to_choice: [x, y]\njudge: {model: j}\n")).toThrow(
      "t.yaml:6, key `judge`: applies to output_type generate_until_multi_round or generate_until or tool_use, not multiple_choice",
    );
    expect(fail("task: t\ndoc_to_text: q\ndoc_to_target: a\njudge: {model: j, reference: ref}\n")).toThrow(/t\.yaml:4, key `judge.reference`: applies to MT-Bench grading/);
    expect(fail("task: t\noutput_type: generate_until_multi_round\n")).toThrow("key `turns`: required for output_type generate_until_multi_round");
    expect(fail("task: t\noutput_type: generate_until_multi_round\nturns: turns\njudge:\n  modle: j\n")).toThrow(/t\.yaml:4, key `judge`: .*modle/);
    expect(fail("task: t\noutput_type: tool_use\ndoc_to_text: q\ntools: {from: tools}\nexpected_calls: gt\n")).toThrow("key `expected_calls`: scoring expected calls needs BFCL function docs: set tools.format: bfcl");
    expect(fail("task: t\noutput_type: tool_use\n")).toThrow("key `doc_to_messages`: output_type tool_use needs doc_to_messages or doc_to_text");
    expect(fail("task: t\noutput_type: tool_use\ndoc_to_messages: 'a b'\n")).toThrow("t.yaml:3, key `doc_to_messages`: expected a field name or a {{ template }} yielding a value");
    expect(fail("task: t\noutput_type: tool_use\ndoc_to_text: q\nagent: {message_limit: 1}\n")).toThrow(/key `agent.message_limit`/);
  });
});
