import { compileTemplate } from "../src/tasks/template.js";
for (const [t, doc] of [["{{a/2}}", {a: 2}], ["{{a/4}}", {a: 2}], ["{{a//4}}", {a: 7}], ["{{a - 1}}", {a: "x"}], ["{{a / 2}}", {a: "x"}], ["{{a * 1.0}}", {a: 2}], ["{{a + 0.5}}", {a: 1}], ["{{a ** 2}}", {a: 3}], ["{{a - b}}", {a: 3, b: 1.5}], ["{{-a}}", {a: "x"}], ["{{a|int / 2}}", {a: "3"}], ["{{ (a/3)|round(2) }}", {a: 2}], ["{{a/0}}", {a: 2}], ["{{a*1.0}}", {a: 1e20}], ["{{ 1e-5 * a }}", {a: 1}]] as const) {
  try { console.log(t, JSON.stringify(doc), "=>", JSON.stringify(compileTemplate(t, { key: "k" }).render(doc as never))); } catch (e) { console.log(t, "=> ERR", (e as Error).message); }
}
