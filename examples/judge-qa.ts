// Free-form answers graded against references by a judge model, in code (docs/judge.md).
// OPENAI_BASE_URL=http://127.0.0.1:8000/v1 npx tsx examples/judge-qa.ts
import { loadTask, openAIChat, openInputs, runEvaluation } from "../src/index.js";

export async function main(baseURL = process.env.OPENAI_BASE_URL ?? "http://127.0.0.1:8000/v1") {
  const apiKey = process.env.OPENAI_API_KEY || "EMPTY";
  return runEvaluation({
    input: openInputs(["examples/judge-qa.jsonl"], process.stdin),
    tasks: [await loadTask("examples/judge-qa.yaml")],
    models: [{ client: openAIChat({ model: "my-model", baseURL, apiKey }), concurrency: 8 }],
    // The judge is a model like the others: its own endpoint, concurrency, price and limits.
    judge: { client: openAIChat({ model: "my-judge", baseURL, apiKey }), concurrency: 4 },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await main()).models["my-model"]?.metrics);
