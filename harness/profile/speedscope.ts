/**
 * Reader and writer for speedscope's JSON file format (`py-spy record --format speedscope`; the file users open
 * in the speedscope viewer). Its schema: `shared.frames` is a table of `{name, file?, line?, col?}` and each of
 * `profiles[]` refers to frames by index, either "sampled" (`samples`: stacks root first, with `weights`) or
 * "evented" (open/close events at increasing times). py-spy writes one sampled profile per thread; a run wants one
 * picture of the process, so all profiles are merged into one Profile.
 *
 * Weights: py-spy writes every sample with weight 1/rate in seconds; its raw output (and baselines, and the
 * `samples` of hotspots) count samples. So a file whose exporter is py-spy is read as one per sample, and its
 * totals compare with a raw recording's; other files keep their weights in their own unit (`countSamples` says
 * which way explicitly).
 *
 * File paths: py-spy's raw output prints a short path (from the topmost Python package directory, e.g.
 * `badapp/hashing.py`, `http/server.py`), found by looking for `__init__.py` on the profiled machine; speedscope files
 * carry the absolute path. The reader cannot look at that machine, so it strips what it can recognise — the Python
 * installation's `lib/pythonX.Y/` and `site-packages/` directories, which gives py-spy's short path for the standard
 * library and installed packages — plus any `fileRoots` the caller knows (the app's source roots, as on sys.path).
 * Without those, the app's own frames keep their absolute paths and their frameKey differs from the raw reader's.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ProfileBuilder, type FrameInfo, type Profile } from './model.js';
import { ProfileParseError } from './parse-error.js';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

export interface SpeedscopeReadOptions {
  /** Directories to strip from the front of absolute file paths (the app's source roots, as on sys.path). */
  fileRoots?: readonly string[];
  /** Count each sample of a sampled profile as 1 whatever its weight (default: when py-spy wrote the file). */
  countSamples?: boolean;
}

// Optional fields: the schema says "absent", serde writers (py-spy) write null.
const optionalText = z.string().nullish();
const optionalPosition = z.number().int().nonnegative().nullish();
const unit = z.enum(['none', 'nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'bytes']);
// zod 4 numbers are finite: JSON.parse turns 1e999 into Infinity, which this rejects.
const value = z.number();

const sampledShape = z.object({
  type: z.literal('sampled'),
  name: z.string(),
  unit,
  startValue: value,
  endValue: value,
  // The contents (frame indices, weights) are checked by hand below: the messages need the frame count.
  samples: z.array(z.array(z.unknown())),
  weights: z.array(z.unknown()),
});

const eventedShape = z.object({
  type: z.literal('evented'),
  name: z.string(),
  unit,
  startValue: value,
  endValue: value,
  events: z.array(z.object({ type: z.enum(['O', 'C']), at: z.unknown(), frame: z.unknown() })),
});

const fileShape = z.object({
  $schema: z.literal(SPEEDSCOPE_SCHEMA),
  shared: z.object({
    frames: z.array(z.object({ name: z.string(), file: optionalText, line: optionalPosition, col: optionalPosition })),
  }),
  profiles: z.array(z.discriminatedUnion('type', [sampledShape, eventedShape])),
  name: optionalText,
  activeProfileIndex: z.number().nullish(),
  exporter: optionalText,
});

type SpeedscopeFile = z.infer<typeof fileShape>;

/** A zod issue path as JavaScript would write it: `profiles[0].samples[12]`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || 'top level';
}

/** A JSON value in a message: short, and saying "missing" rather than "undefined". */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (a number too large for JSON)`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** zod's messages say "Invalid input"; say what was expected and what the file has instead. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator === 'type') {
        const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
        return `expected profile type "sampled" or "evented", got ${shown(type)}`;
      }
      return issue.message;
    case 'invalid_type':
      return `expected ${issue.expected}, got ${shown(input)}`;
    default:
      return `${issue.message.replace(/^Invalid (input|option): /, '')}, got ${shown(input)}`;
  }
}

/**
 * The Python installation's library directories: py-spy's short path starts after them. POSIX:
 * `…/lib/python3.11/[site-packages/]` (and Debian's `…/lib/python3/dist-packages/`); Windows: `C:\…\Lib\[site-packages\]`.
 */
const PYTHON_LIBRARY = [
  /^\/(?:.*\/)?lib\/python\d+(?:\.\d+)?t?\/(?:(?:site|dist)-packages\/)?/,
  /^[A-Za-z]:\\(?:.*\\)?Lib\\(?:site-packages\\)?/,
];

/** py-spy's short path where it can be told from the text alone (see the module comment). */
export function shortFile(file: string, fileRoots: readonly string[] = []): string {
  for (const root of fileRoots) {
    const dir = root.replace(/[/\\]+$/, '');
    if (dir !== '' && file.length > dir.length + 1 && file.startsWith(dir) && /[/\\]/.test(file[dir.length]!)) {
      return file.slice(dir.length + 1);
    }
  }
  // Relative paths (already short), `<frozen runpy>`, `<string>` match neither and stay as they are.
  for (const library of PYTHON_LIBRARY) {
    const short = file.replace(library, '');
    if (short !== file && short !== '') return short;
  }
  return file;
}

export function parseSpeedscope(text: string, path: string, options: SpeedscopeReadOptions = {}): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ProfileParseError(path, 'JSON', `${(error as Error).message} (not JSON, or truncated?)`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProfileParseError(path, 'top level', `expected a speedscope JSON object, got ${Array.isArray(json) ? 'an array' : shown(json)}`);
  }
  // Checked first, on its own: a JSON file of another kind gets "not a speedscope file", not a list of shape errors.
  const schema = (json as { $schema?: unknown }).$schema;
  if (schema !== SPEEDSCOPE_SCHEMA) {
    throw new ProfileParseError(path, '$schema', `expected ${JSON.stringify(SPEEDSCOPE_SCHEMA)}, got ${schema === undefined ? 'none' : shown(schema)} (not a speedscope file?)`);
  }
  const parsed = fileShape.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProfileParseError(path, formatPath(issue.path), describeIssue(issue));
  }
  const file: SpeedscopeFile = parsed.data;

  const frames: FrameInfo[] = file.shared.frames.map((f) => {
    const frame: FrameInfo = { name: f.name };
    if (f.file != null) frame.file = shortFile(f.file, options.fileRoots);
    if (f.file != null && f.line != null) frame.line = f.line;
    return frame;
  });
  const builder = new ProfileBuilder(`speedscope (${path})`);
  const countSamples = options.countSamples ?? file.exporter?.startsWith('py-spy@') ?? false;
  file.profiles.forEach((profile, p) => {
    const where = `profiles[${p}]`;
    if (profile.type === 'sampled') readSampled(profile, where, frames, builder, path, countSamples);
    else readEvented(profile, where, frames, builder, path);
  });
  const result = builder.build();
  if (!Number.isFinite(result.totalWeight)) {
    throw new ProfileParseError(path, 'profiles', `the weights add up to ${result.totalWeight}: too large to compare shares`);
  }
  if (result.samples.length === 0) {
    throw new ProfileParseError(path, 'profiles', file.profiles.length === 0 ? 'no profiles' : 'no samples with a stack and a weight');
  }
  return result;
}

function frameAt(index: unknown, frames: readonly FrameInfo[], where: string, path: string): FrameInfo {
  if (typeof index !== 'number' || !Number.isInteger(index)) {
    throw new ProfileParseError(path, where, `expected a frame index, got ${shown(index)}`);
  }
  const frame = frames[index];
  if (index < 0 || frame === undefined) {
    throw new ProfileParseError(path, where, `frame index ${index} out of range (${frames.length} frame${frames.length === 1 ? '' : 's'})`);
  }
  return frame;
}

function readSampled(
  profile: z.infer<typeof sampledShape>,
  where: string,
  frames: readonly FrameInfo[],
  builder: ProfileBuilder,
  path: string,
  countSamples: boolean,
): void {
  if (profile.samples.length !== profile.weights.length) {
    throw new ProfileParseError(path, where, `${profile.samples.length} samples but ${profile.weights.length} weights`);
  }
  profile.samples.forEach((stack, s) => {
    const weight = profile.weights[s];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ProfileParseError(path, `${where}.weights[${s}]`, `expected a finite weight >= 0, got ${shown(weight)}`);
    }
    builder.appendSample(
      stack.map((index, i) => frameAt(index, frames, `${where}.samples[${s}][${i}]`, path)),
      countSamples && weight > 0 ? 1 : weight,
    );
  });
}

/** A stack of open frames in an evented profile, shared with the stacks it extends (a call tree node). */
interface OpenStack {
  frame: number;
  parent: OpenStack | undefined;
  children: Map<number, OpenStack>;
  weight: number;
}

/**
 * Evented profiles become samples: between two events, the open frames (root first) weigh the time elapsed.
 * Frames must nest: a close names the innermost open frame, and everything opened is closed by the end.
 * Time is added up per distinct stack (a call tree) and each stack becomes one sample at the end: a copy of the
 * open stack at every event takes time and memory in depth × events (a 1,000-deep trace of 202,000 events read in
 * 5.1 s as 202,000 samples that way, in 0.19 s as 1,001 this way).
 */
function readEvented(
  profile: z.infer<typeof eventedShape>,
  where: string,
  frames: readonly FrameInfo[],
  builder: ProfileBuilder,
  path: string,
): void {
  const root: OpenStack = { frame: -1, parent: undefined, children: new Map(), weight: 0 };
  const stacks: OpenStack[] = [];
  let open = root;
  let depth = 0;
  let last: number | undefined;
  profile.events.forEach((event, e) => {
    const at = event.at;
    const here = `${where}.events[${e}]`;
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      throw new ProfileParseError(path, `${here}.at`, `expected a finite time, got ${shown(at)}`);
    }
    if (last !== undefined && at < last) {
      throw new ProfileParseError(path, `${here}.at`, `events out of order: at ${at} is before the previous event's ${last}`);
    }
    frameAt(event.frame, frames, `${here}.frame`, path);
    const index = event.frame as number;
    if (open !== root && last !== undefined) {
      const weight = open.weight + (at - last);
      if (!Number.isFinite(weight)) throw new ProfileParseError(path, `${here}.at`, `the time in one stack adds up to ${weight}`);
      open.weight = weight;
    }
    last = at;
    if (event.type === 'O') {
      let child = open.children.get(index);
      if (!child) {
        child = { frame: index, parent: open, children: new Map(), weight: 0 };
        open.children.set(index, child);
        stacks.push(child);
      }
      open = child;
      depth++;
    } else {
      if (open === root) throw new ProfileParseError(path, here, `closes frame ${index} but no frame is open`);
      if (open.frame !== index) {
        throw new ProfileParseError(path, here, `closes frame ${index} but the innermost open frame is ${open.frame} (frames must nest)`);
      }
      open = open.parent!;
      depth--;
    }
  });
  if (open !== root) {
    throw new ProfileParseError(path, where, `unbalanced events: ${depth} frame(s) still open at the end (innermost ${open.frame})`);
  }
  for (const stack of stacks) {
    if (stack.weight === 0) continue;
    const ids: FrameInfo[] = [];
    for (let node: OpenStack | undefined = stack; node !== root && node; node = node.parent) ids.push(frames[node.frame]!);
    builder.appendSample(ids.reverse(), stack.weight);
  }
}

export async function readSpeedscope(path: string, options: SpeedscopeReadOptions = {}): Promise<Profile> {
  return parseSpeedscope(await readFile(path, 'utf8'), path, options);
}

export interface SpeedscopeWriteOptions {
  /** The profile's name in the viewer (default: the profile's source). */
  name?: string;
  /** What a weight is (default "none": a sample count, as py-spy raw gives). */
  unit?: z.infer<typeof unit>;
}

/**
 * The profile as a speedscope file users can open in speedscope: one sampled profile, one entry per sample of the
 * Profile (stacks root first, as stored). Frames keep name, file and line as the profile has them.
 */
export function toSpeedscope(profile: Profile, options: SpeedscopeWriteOptions = {}): string {
  const name = options.name ?? profile.source;
  const file = {
    $schema: SPEEDSCOPE_SCHEMA,
    shared: {
      frames: profile.frames.map((f) => ({
        name: f.name,
        ...(f.file === undefined ? {} : { file: f.file }),
        ...(f.line === undefined ? {} : { line: f.line }),
      })),
    },
    profiles: [
      {
        type: 'sampled',
        name,
        unit: options.unit ?? 'none',
        startValue: 0,
        endValue: profile.totalWeight,
        samples: profile.samples.map((s) => s.stack),
        weights: profile.samples.map((s) => s.weight),
      },
    ],
    name,
    activeProfileIndex: 0,
    exporter: 'holistic',
  };
  return JSON.stringify(file) + '\n';
}
