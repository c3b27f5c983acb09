/**
 * Reader for py-spy `record --format raw`: collapsed stacks, one per line, `frame;frame;…;leaf COUNT`
 * (Brendan Gregg's folded format, as inferno and speedscope's bg-flamegraph importer read it). py-spy prints a
 * frame as `name (file:line)`; with --threads/--pid options a first pseudo-frame such as `thread (0x…)` or
 * `process 1:"…"` can appear and is kept as a frame.
 */
import { readFile } from 'node:fs/promises';
import { ProfileBuilder, type FrameInfo, type Profile } from './model.js';
import { ProfileParseError } from './parse-error.js';

const LINE = /^(.*\S) (\d+)$/;
const FRAME = /^(.*) \(([^()]*?):(\d+)\)$/;

export function parseFrame(text: string): FrameInfo {
  const match = FRAME.exec(text);
  if (!match) return { name: text };
  return { name: match[1]!, file: match[2]!, line: Number(match[3]) };
}

/**
 * `allowEmpty`: a recording of a process that did nothing in the window (an idle replica, a workload without
 * traffic under --no-load) is a finding, not a broken file: the caller says so instead of failing the run.
 */
export function parsePySpyRaw(text: string, path: string, options: { allowEmpty?: boolean } = {}): Profile {
  const builder = new ProfileBuilder(`py-spy raw (${path})`);
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  // A file that was cut off mid-write ends without a newline: its last line may look valid but be short.
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new ProfileParseError(path, `line ${lines.length}`, 'the file ends mid-line (truncated?)');
  }
  let parsed = 0;
  // Stacks repeat the same frames over and over: parse each distinct text once.
  const seen = new Map<string, FrameInfo>();
  const frameOf = (text: string): FrameInfo => {
    let frame = seen.get(text);
    if (!frame) seen.set(text, (frame = parseFrame(text)));
    return frame;
  };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    // py-spy writes ` N` (no frames) for threads it caught with no Python stack yet (starting up, exiting):
    // nothing to attribute, so they are left out of the profile rather than counted as an unnamed frame.
    if (/^ \d+$/.test(line)) return;
    const match = LINE.exec(line);
    if (!match) {
      throw new ProfileParseError(path, `line ${i + 1}`, `expected "frame;frame;... COUNT", got ${JSON.stringify(line.slice(0, 120))}`);
    }
    const weight = Number(match[2]);
    if (!Number.isSafeInteger(weight)) {
      throw new ProfileParseError(path, `line ${i + 1}`, `sample count ${match[2]} is not a safe integer`);
    }
    const frames = match[1]!.split(';');
    if (frames.some((f) => f === '')) {
      throw new ProfileParseError(path, `line ${i + 1}`, 'empty frame in stack');
    }
    builder.appendSample(frames.map(frameOf), weight);
    parsed++;
  });
  if (parsed === 0 && !options.allowEmpty) {
    throw new ProfileParseError(path, 'whole file', 'no samples (the profiler saw no non-idle Python thread?)');
  }
  return builder.build();
}

export async function readPySpyRaw(path: string): Promise<Profile> {
  return parsePySpyRaw(await readFile(path, 'utf8'), path);
}
