/**
 * Reading a crash: the Python traceback the app printed as it died, and which of its settings holds the value
 * the exception complains about. The traceback alone often shows a value (`invalid literal for int() with
 * base 10: 'forever'`) but not where it came from; the environment of a copy of the app says which setting.
 */
import type { Verdict } from './verdict.js';

export interface Traceback {
  /** The whole traceback, from `Traceback (most recent call last):` to the exception line. */
  text: string;
  exception: string;
  message: string;
  /** Quoted values in the exception's message: the candidates for the bad input. */
  values: string[];
}

export function readTraceback(logs: string): Traceback | undefined {
  const lines = logs.split('\n');
  const start = lines.map((l) => l.startsWith('Traceback (most recent call last):')).lastIndexOf(true);
  if (start < 0) return undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit)): ?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const message = m[2]!;
    const values = [...message.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((q) => q[1] ?? q[2] ?? '');
    return { text: lines.slice(start, i + 1).join('\n'), exception: m[1]!, message, values };
  }
  return undefined;
}

/** The settings (environment variables) whose value is one the exception names. */
export function settingsHolding(env: Record<string, string>, values: readonly string[], prefix?: RegExp): string[] {
  return Object.entries(env)
    .filter(([name, value]) => values.includes(value) && (!prefix || prefix.test(name)))
    .map(([name]) => name)
    .sort();
}

export function checkCrashed(exitCode: number | undefined, traceback: Traceback | undefined): Verdict {
  return {
    name: 'crashed at start-up',
    pass: exitCode !== 0 && traceback !== undefined,
    expected: 'the app exits non-zero during start-up with a Python traceback',
    actual: `exit code ${exitCode ?? 'unknown'}; ${traceback ? `${traceback.exception}: ${traceback.message}` : 'no traceback in its output'}`,
    details: traceback?.text.split('\n').slice(-6),
  };
}

export function checkBadSetting(found: readonly string[], env: Record<string, string>, expected: string): Verdict {
  return {
    name: 'bad setting named',
    pass: found.length === 1 && found[0] === expected,
    expected: `exactly one setting holds the value in the traceback: ${expected}`,
    actual: found.length ? found.map((n) => `${n}=${JSON.stringify(env[n])}`).join(', ') : 'no setting holds a value the traceback names',
  };
}
