// Preloaded into a CLI child (`node --import`): the moment the process first listens for SIGINT, it interrupts
// itself, as a Ctrl-C at the earliest moment a handler can exist would. Tells the test on stderr that it did.
const on = process.on.bind(process);
let fired = false;
const probe = (event: string | symbol, listener: (...args: unknown[]) => void): NodeJS.Process => {
  const result = on(event, listener);
  if (event === "SIGINT" && !fired) {
    fired = true;
    process.stderr.write("signal-probe: SIGINT sent\n");
    process.kill(process.pid, "SIGINT");
  }
  return result;
};
process.on = process.addListener = probe as typeof process.on;
