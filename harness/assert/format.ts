import type { Verdict } from './verdict.js';

/** One verdict as text: `PASS name: expected …; got …` plus indented details. */
export function formatVerdict(verdict: Verdict): string {
  return [
    `${verdict.pass ? 'PASS' : 'FAIL'} ${verdict.name}: expected ${verdict.expected}; got ${verdict.actual}`,
    ...(verdict.details ?? []).map((line) => `  ${line}`),
  ].join('\n');
}
