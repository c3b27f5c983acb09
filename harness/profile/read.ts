/**
 * One entry point for a profile file a user brings: the reader is chosen by what the file contains, not by its
 * name (py-spy's `--output` takes any name, and a flame graph is often saved as `.html` or without extension).
 * speedscope JSON starts with `{`, a flame graph SVG is XML with `<svg`, py-spy raw / folded stacks start with a
 * `frames COUNT` line. Anything else is a ProfileParseError that says which formats were tried.
 */
import { readFile } from 'node:fs/promises';
import { parseFlamegraphSvg } from './flamegraph-svg.js';
import type { Profile } from './model.js';
import { ProfileParseError } from './parse-error.js';
import { parsePySpyRaw } from './pyspy-raw.js';
import { parseSpeedscope, type SpeedscopeReadOptions } from './speedscope.js';

export type ProfileFormat = 'speedscope' | 'flamegraph-svg' | 'pyspy-raw';

const FORMATS = 'speedscope JSON, flame graph SVG or py-spy raw (folded stacks)';

/** Which reader fits the text, or a ProfileParseError naming what the file looks like instead. */
export function detectProfileFormat(text: string, path: string): ProfileFormat {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{')) return 'speedscope';
  if (start.startsWith('[')) {
    throw new ProfileParseError(path, 'top level', `a JSON array (a Chrome trace?) is not one of the formats read here: ${FORMATS}`);
  }
  // The first non-blank line as written: trimming would turn py-spy's ` 1` (an empty stack) into `1`.
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  // Folded stacks: `frame;frame;... COUNT`. py-spy may start with ` N` (a thread without a Python stack).
  const folded = /^(?:.*\S)? \d+$/.test(firstLine);
  // A '<' may start folded stacks too: a truncated stack whose outermost frame is `<module>` or `<genexpr>`
  // (a real recording of the pure-Python truth app began so, and `holistic diff` refused it as markup).
  if (start.startsWith('<') && !folded) {
    if (/<svg[\s>]/.test(start.slice(0, 4096))) return 'flamegraph-svg';
    throw new ProfileParseError(path, 'top level', `markup without an <svg> element near the start (an HTML page?) is not one of: ${FORMATS}`);
  }
  if (/^Process \d+: /.test(firstLine)) {
    throw new ProfileParseError(path, 'line 1', 'this is a py-spy dump (the stacks at one instant), not a recording: record one with `py-spy record --format raw` (or speedscope)');
  }
  if (folded) return 'pyspy-raw';
  if (start === '') throw new ProfileParseError(path, 'whole file', `empty: expected ${FORMATS}`);
  throw new ProfileParseError(path, 'line 1', `not ${FORMATS}: starts with ${JSON.stringify(firstLine.slice(0, 60))}`);
}

/** The text as a Profile, with the reader its content calls for. */
export async function parseProfile(withBom: string, path: string, options: SpeedscopeReadOptions = {}): Promise<Profile> {
  return (await parseDetected(withBom, path, options)).profile;
}

export async function readProfile(path: string, options: SpeedscopeReadOptions = {}): Promise<Profile> {
  return (await readProfileAndFormat(path, options)).profile;
}

/** The file as a Profile, and which format its content was read as (for a person: `holistic inspect`). */
export async function readProfileAndFormat(path: string, options: SpeedscopeReadOptions = {}): Promise<{ profile: Profile; format: ProfileFormat }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProfileParseError(path, 'file', (error as Error).message);
  }
  return parseDetected(text, path, options);
}

async function parseDetected(withBom: string, path: string, options: SpeedscopeReadOptions): Promise<{ profile: Profile; format: ProfileFormat }> {
  // Editors on Windows save a byte-order mark: JSON.parse rejects it, the raw reader would make it part of a frame.
  const text = withBom.replace(/^\uFEFF/, '');
  const format = detectProfileFormat(text, path);
  switch (format) {
    case 'speedscope':
      return { format, profile: parseSpeedscope(text, path, options) };
    case 'flamegraph-svg':
      return { format, profile: await parseFlamegraphSvg(text, path) };
    case 'pyspy-raw':
      return { format, profile: parsePySpyRaw(text, path) };
  }
}
