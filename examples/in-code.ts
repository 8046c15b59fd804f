// An evaluation in code: the same run as `npx streameval run`, as a function that returns the summary.
// Run it against your server: OPENAI_BASE_URL=http://127.0.0.1:8000/v1 npx tsx examples/in-code.ts
import { loadTask, openAIChat, openInputs, runEvaluation } from "../src/index.js";

export async function main(baseURL = process.env.OPENAI_BASE_URL ?? "http://127.0.0.1:8000/v1") {
  const apiKey = process.env.OPENAI_API_KEY || "EMPTY"; // a local server may need no key
  return runEvaluation({
    input: openInputs(["examples/capitals.jsonl"], process.stdin),
    tasks: [await loadTask("examples/capitals.yaml")],
    models: [{ client: openAIChat({ model: "my-model", baseURL, apiKey }), concurrency: 8 }],
    onEvent: (event) => event.type === "result" && console.log(JSON.stringify(event.line.filtered)),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await main()).models["my-model"]?.metrics);
