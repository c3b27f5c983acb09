/**
 * Deterministic synthetic profiles in py-spy's raw format: a call tree of `frames` distinct frames with
 * weights that span several orders of magnitude (so a flame graph drops the narrowest ones). Used by the
 * benchmark and to make the committed samples in test/samples/. Seeded: the same profile on every machine.
 */
import { seededRandom } from '../harness/stats/bootstrap.js';


export function syntheticRaw(frames: number, seed = 1): string {
  const rand = seededRandom(seed);
  const lines: string[] = [];
  // Each stack extends a random earlier stack by one new frame, so the tree has about `frames` nodes.
  const stacks: string[][] = [['main (app/main.py:1)']];
  for (let i = 1; i < frames; i++) {
    const parent = stacks[Math.floor(rand() * stacks.length)]!;
    const name = i % 7 === 0 ? `<lambda_${i}>` : `fn_${i}`;
    const stack = [...parent, `${name} (app/mod_${i % 97}.py:${1 + (i % 400)})`];
    stacks.push(stack);
    // Heavy-tailed weights: most frames are thin, a few are hot.
    const weight = Math.max(1, Math.floor(Math.exp(rand() * 9) * (rand() < 0.02 ? 20 : 1)));
    lines.push(`${stack.join(';')} ${weight}`);
  }
  return lines.join('\n') + '\n';
}
