import { PyRandom } from "../src/metrics/py-random.js";
import { bootstrapStderr, pyMean } from "../src/metrics/bootstrap.js";
for (const s of [0, 1, 7, 2 ** 33 + 5]) { const r = new PyRandom(s); console.log(s, r.random(), r.random(), r.choices([1, 2, 3, 4, 5], 5).join(",")); }
const xs = Array.from({ length: 50 }, (_, i) => -Math.log(1 + (i * 37) % 11) - 0.1 * i);
console.time("b"); console.log(bootstrapStderr((s) => Math.exp(-pyMean(s)), xs, 100000)); console.timeEnd("b");
