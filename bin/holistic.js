#!/usr/bin/env node
// Entry point of the `holistic` command: TypeScript runs directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli.ts');

const controller = new AbortController();
let interrupts = 0;
const onSignal = (name) => {
  interrupts += 1;
  if (interrupts === 1) {
    process.stderr.write(`\nholistic: ${name}: stopping and cleaning up (again to force quit)\n`);
    controller.abort(name);
  } else {
    process.exit(130);
  }
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

process.exitCode = await main(process.argv, undefined, controller.signal);
