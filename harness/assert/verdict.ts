/**
 * A verdict is data, not an exception: the CLI turns the list into an exit code, the report into a table,
 * junit.xml into testcases and the vitest matchers into readable failures. JSON-safe by construction.
 */
export interface Verdict {
  /** Short and stable, e.g. `hotspot hash_password`. */
  name: string;
  pass: boolean;
  /** What had to hold, in words a user reads: `self share >= 80%`. */
  expected: string;
  /** What was seen: `98.8% (677 of 685 samples)`. */
  actual: string;
  /** Extra lines for a failure: the top frames, the errors seen. */
  details?: string[];
}

export function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`;
}
