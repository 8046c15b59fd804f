// Rolling windows and an alert over a run's results, composed in code. Run it: npx tsx examples/rolling-windows.ts
import { lastValueFrom, toArray } from "rxjs";
import { countWindows, docsToLines, evaluate, freshResults, functionModel, loadTask, parseAlert, watchAlerts, windowScope, contentText } from "../src/index.js";

// A model that drifts: right on the first 20 questions, wrong after.
const model = functionModel("drifting", (request) => {
  const n = Number(/(\d+)/.exec(contentText(request.messages.at(-1)?.content))?.[1]);
  return `#### ${n <= 20 ? n : n + 1}`;
});

export async function main() {
  const task = await loadTask("gsm8k");
  const docs = Array.from({ length: 40 }, (_, i) => ({ id: `q${i + 1}`, question: `Repeat ${i + 1}.`, target: String(i + 1) }));
  const lines = evaluate({ input: docsToLines(docs), tasks: [task], models: [{ client: model, concurrency: 1 }] }).pipe(
    freshResults(), // result lines scored by this process
    countWindows({ size: 10, ...windowScope([task], ["drifting"]) }), // or timeWindows({ sizeMs: 60_000, ... })
    watchAlerts([parseAlert("exact_match,strict-match < 0.5")]), // window reports, then alert events
  );
  return lastValueFrom(lines.pipe(toArray()));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const x of await main()) {
    if (x.type === "window") console.log(`window ${x.index}: exact_match ${x.models.drifting?.metrics["exact_match,strict-match"]?.value}`);
    else console.log(`alert ${x.state}: ${x.alert} in window ${x.window.index}`);
  }
}
