// Preloaded into a CLI child (`node --import`): sends the process SIGTERM when a module whose URL contains
// $SIGNAL_ON_IMPORT is first resolved, i.e. while the command is still loading, before its own handler can exist.
import { register } from "node:module";

const hooks = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (!globalThis.sent && result.url.includes(${JSON.stringify(process.env.SIGNAL_ON_IMPORT ?? "\0")})) {
    globalThis.sent = true;
    process.kill(process.pid, "SIGTERM");
  }
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
