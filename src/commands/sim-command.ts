import { parseSimFlags, type SimFlags, startSim } from "../sim/index.js";
import type { CommandIO } from "./run-command.js";

/**
 * `streameval sim`: serves an OpenAI-compatible simulator on loopback until SIGINT/SIGTERM.
 * `apiKey` (require this key) is read from the environment by the caller, never from a flag.
 */
export async function simCommand(flags: SimFlags, io: CommandIO, apiKey?: string): Promise<void> {
  const sim = await startSim({ ...parseSimFlags(flags), ...(apiKey ? { apiKey } : {}) });
  io.stderr.write(`streameval sim: serving an OpenAI-compatible API at ${sim.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const remove = io.onSignal?.(() => {
      remove?.();
      resolve();
    });
  });
  await sim.close();
}
