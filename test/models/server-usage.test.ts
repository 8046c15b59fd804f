import { describe, expect, it } from "vitest";
import { serverUsage } from "../../src/models/server-usage.js";

describe("serverUsage: a server's usage is believed only when it is counts (issue 21, case 5)", () => {
  it("keeps non-negative integer counts and their details", () => {
    expect(serverUsage({ prompt_tokens: 10, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } })).toEqual({ prompt_tokens: 10, completion_tokens: 3, cached_tokens: 4 });
    expect(serverUsage({ prompt_tokens: 10 })).toEqual({ prompt_tokens: 10, completion_tokens: 0 });
  });

  it.each([
    [{ prompt_tokens: -1e9, completion_tokens: 1 }],
    [{ prompt_tokens: "NaN", completion_tokens: 1 }],
    [{ prompt_tokens: 1, completion_tokens: Number.NaN }],
    [{ prompt_tokens: 1.5, completion_tokens: 1 }],
    [{ prompt_tokens: 1e300, completion_tokens: 1 }],
    [{ prompt_tokens: 1, completion_tokens: "7" }],
    ["lots"],
    [null],
  ])("treats %j as no usage (the reply is then counted offline, marked estimated)", (u) => {
    expect(serverUsage(u)).toBeNull();
  });

  it("drops details that are not counts, and caps them at their totals", () => {
    expect(serverUsage({ prompt_tokens: 5, completion_tokens: 2, prompt_tokens_details: { cached_tokens: -3 }, completion_tokens_details: { reasoning_tokens: 99 } })).toEqual({
      prompt_tokens: 5,
      completion_tokens: 2,
      reasoning_tokens: 2,
    });
  });
});
