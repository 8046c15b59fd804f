// Preloaded into a CLI child (`node --import`): when the token-counting worker thread comes online (a long
// text is about to be counted), the process sends itself SIGTERM, as a user would mid-count. Says so on stderr.
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const threads = require("node:worker_threads") as typeof import("node:worker_threads");
const Original = threads.Worker;
let fired = false;
class ProbedWorker extends Original {
  constructor(...args: ConstructorParameters<typeof Original>) {
    super(...args);
    const source = String(args[0]);
    if (!fired && source.includes("count-worker-thread")) {
      fired = true;
      this.once("online", () => {
        process.stderr.write("count-worker-probe: SIGTERM sent\n");
        process.kill(process.pid, "SIGTERM");
      });
    }
  }
}
threads.Worker = ProbedWorker;
syncBuiltinESMExports();
