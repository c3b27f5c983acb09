/**
 * `holistic inspect FILE`: the hotspots of a profile that holistic did not record itself — py-spy raw, a flame
 * graph SVG or a speedscope file taken by hand with `kubectl debug` in production, sent by a colleague, or an old
 * run's — and, when asked, the same hotspot verdict a scenario applies, so a CI job can gate on it.
 * The reader is chosen by the file's content (profile/read.ts); a file it cannot read is a usage error (exit 2).
 */
import { checkHotspot, hotspots, type Hotspot } from './assert/hotspot.js';
import type { Verdict } from './assert/verdict.js';
import { readProfileAndFormat, type ProfileFormat } from './profile/read.js';

export interface InspectOptions {
  /** How many hotspots to list. */
  top: number;
  /** A function that must be where the time goes (matched as a scenario's hotspot check matches it). */
  expectHotspot?: string;
  /** With expectHotspot: its least self share, 0..1; it must also rank first. */
  minShare?: number;
  /** speedscope: the app's source roots, stripped from absolute file paths so frames read like py-spy raw's. */
  fileRoots?: string[];
}

export interface Inspection {
  file: string;
  format: ProfileFormat;
  samples: number;
  hotspots: Hotspot[];
  verdict?: Verdict;
}

export async function inspectProfile(file: string, options: InspectOptions): Promise<Inspection> {
  const { profile, format } = await readProfileAndFormat(file, { fileRoots: options.fileRoots });
  const verdict = options.expectHotspot
    ? checkHotspot(profile, options.expectHotspot, { atLeast: options.minShare ?? 0.5, top: true })
    : undefined;
  return { file, format, samples: profile.totalWeight, hotspots: hotspots(profile, options.top), ...(verdict ? { verdict } : {}) };
}
