#!/usr/bin/env node
// Entry point of the `holistic` command: TypeScript runs directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main, forceQuit } = await import('../harness/cli.ts');

const controller = new AbortController();
let interrupts = 0;
const stop = (why) => {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write(`\nholistic: ${why}: stopping and cleaning up (again to force quit)\n`);
    controller.abort(why);
  } else {
    // Force quit: nothing asynchronous runs after exit, so the run's processes and containers are removed
    // synchronously first; what only the network can remove (a namespace) is left to the next run or
    // `holistic down`, which find it by its owner.
    forceQuit();
    process.exit(130);
  }
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
// A parent that went away (npx killed by a script's SIGINT does not forward it) leaves us adopted by another
// process: stop as if interrupted rather than carry on unseen.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && interrupts === 0) stop(`parent process ${parent} exited`);
}, 500).unref();

process.exitCode = await main(process.argv, undefined, controller.signal);
