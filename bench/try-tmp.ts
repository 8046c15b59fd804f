import { loadTaskRef } from "../src/tasks/group.js";
import { scoreResponse } from "../src/tasks/score.js";
const r = await loadTaskRef("triviaqa/default.yaml", { cwd: "/tmp/lmeval-ref/lm_eval/tasks" });
const t = r.tasks[0]!;
const doc = { question: "Who?", answer: { aliases: ["David Seville", "Ross Bagdasarian"], value: "David Seville" } };
console.log(t.target(doc), t.targets?.(doc));
console.log(scoreResponse(t, " David Seville\n", t.targets!(doc)!), scoreResponse(t, "Ross", t.targets!(doc)!));
