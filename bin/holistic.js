#!/usr/bin/env node
// Entry point of the `holistic` command. In the installed package it runs the compiled JavaScript (dist/); in a
// source checkout (harness/cli.ts beside it) it runs the TypeScript through tsx, so edits need no build step.
import { existsSync } from 'node:fs';

const source = new URL('../harness/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/harness/cli.js');
}
const { main, forceQuit } = cli;

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
