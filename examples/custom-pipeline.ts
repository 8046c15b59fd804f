// A custom pipeline composed in code: a system prompt before every question, the task's own
// filters and metrics, and each result line tagged. Run it: npx tsx examples/custom-pipeline.ts
import { map, pipe } from "rxjs";
import { docsToLines, functionModel, generateUntilRequest, loadTask, operators, pipelines, runEvaluation, type PipelineDef, contentText } from "../src/index.js";

const withSystemPrompt: PipelineDef = {
  prepare: pipelines.generate_until.prepare,
  create: (context) =>
    pipe(
      operators.infer(context, (work) => {
        const request = generateUntilRequest(work);
        return { ...request, messages: [{ role: "system", content: "End with '#### <number>'." }, ...request.messages] };
      }),
      operators.score(),
      map((outcome) => ({ ...outcome, line: { ...outcome.line, pipeline: "with-system-prompt" } })),
    ),
};

// Any async function can be the model; `openAIChat({ model, baseURL, apiKey })` is the real one.
const model = functionModel("doubler", (request) => {
  const n = Number(/(\d+)/.exec(contentText(request.messages.at(-1)?.content))?.[1]);
  return `Twice ${n} is ${2 * n}. #### ${2 * n}`;
});

export async function main() {
  const docs = [1, 2, 3].map((n) => ({ id: `q${n}`, question: `What is ${n} doubled?`, target: String(2 * n) }));
  return runEvaluation({
    input: docsToLines(docs),
    tasks: [await loadTask("gsm8k")],
    models: [{ client: model, concurrency: 2 }],
    pipelines: { ...pipelines, generate_until: withSystemPrompt },
    onEvent: (event) => event.type === "result" && console.log(JSON.stringify(event.line.scores)),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await main()).models.doubler?.metrics);
