/**
 * One profile model for every reader (py-spy raw, flamegraph SVG, …): a list of stacks with weights.
 * Frames keep the line the profiler printed (so the profile round-trips), but statistics group frames by
 * function and file (frameKey), because a hotspot is a function: py-spy reports the line being executed,
 * which moves around inside one function.
 *
 * Shapes follow speedscope's model: readers only append samples; the builder guards the weights and the stats
 * never double-count a recursive frame in `total`.
 */

export interface FrameInfo {
  /** Function name as the profiler printed it (e.g. `hash_password`, `<module>`). */
  name: string;
  /** Source file as the profiler printed it (e.g. `badapp/hashing.py`), when known. */
  file?: string;
  /** The line being executed in this frame, when known. Not part of the hotspot identity (frameKey). */
  line?: number;
}

export interface Sample {
  /** Indices into `frames`, root first, leaf last. */
  stack: number[];
  weight: number;
}

export interface Profile {
  /** What produced it, for messages: e.g. `py-spy raw (reports/…/profile.txt)`. */
  source: string;
  frames: FrameInfo[];
  samples: Sample[];
  totalWeight: number;
}

export interface FrameStat {
  frame: FrameInfo;
  /** Weight of samples whose leaf is this frame. */
  selfWeight: number;
  /** Weight of samples whose stack contains this frame (once per sample, even when recursive). */
  totalWeight: number;
  /** selfWeight / profile total, 0..1. */
  self: number;
  /** totalWeight / profile total, 0..1. */
  total: number;
}

export function frameKey(frame: FrameInfo): string {
  return frame.file === undefined ? frame.name : `${frame.name} (${frame.file})`;
}

/** Human label: `name (file:line)`, as py-spy prints it. */
export function frameLabel(frame: FrameInfo): string {
  if (frame.file === undefined) return frame.name;
  return frame.line === undefined ? `${frame.name} (${frame.file})` : `${frame.name} (${frame.file}:${frame.line})`;
}

export class ProfileBuilder {
  private readonly frames: FrameInfo[] = [];
  private readonly index = new Map<string, number>();
  private readonly byObject = new WeakMap<FrameInfo, number>();
  private readonly samples: Sample[] = [];
  private total = 0;

  constructor(private readonly source: string) {}

  appendSample(stack: readonly FrameInfo[], weight: number): void {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(`invalid sample weight ${weight} in ${this.source}`);
    }
    if (weight === 0 || stack.length === 0) return;
    const ids = stack.map((frame) => this.intern(frame));
    this.samples.push({ stack: ids, weight });
    this.total += weight;
  }

  build(): Profile {
    return { source: this.source, frames: [...this.frames], samples: [...this.samples], totalWeight: this.total };
  }

  private intern(frame: FrameInfo): number {
    // Readers hand the same FrameInfo object for the same text: skip building the key string again.
    const known = this.byObject.get(frame);
    if (known !== undefined) return known;
    const id = this.internByLabel(frame);
    this.byObject.set(frame, id);
    return id;
  }

  private internByLabel(frame: FrameInfo): number {
    const key = frameLabel(frame);
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ ...frame });
      this.index.set(key, id);
    }
    return id;
  }
}

/**
 * Per-function self and total (frames with the same name and file merged, whatever their line), ranked by
 * self (highest first), ties by total then name for a stable order. The reported line is the first seen.
 */
export function frameStats(profile: Profile): FrameStat[] {
  const groupOf = new Int32Array(profile.frames.length);
  const groups: FrameInfo[] = [];
  const byKey = new Map<string, number>();
  profile.frames.forEach((frame, id) => {
    const key = frameKey(frame);
    let group = byKey.get(key);
    if (group === undefined) {
      group = groups.length;
      groups.push(frame);
      byKey.set(key, group);
    }
    groupOf[id] = group;
  });
  const self = new Float64Array(groups.length);
  const total = new Float64Array(groups.length);
  const seen = new Int32Array(groups.length).fill(-1);
  profile.samples.forEach((sample, s) => {
    self[groupOf[sample.stack[sample.stack.length - 1]!]!]! += sample.weight;
    for (const id of sample.stack) {
      const group = groupOf[id]!;
      if (seen[group] === s) continue; // recursion: count a function once per sample
      seen[group] = s;
      total[group]! += sample.weight;
    }
  });
  const denominator = profile.totalWeight || 1;
  return groups
    .map((frame, g) => ({
      frame,
      selfWeight: self[g]!,
      totalWeight: total[g]!,
      self: self[g]! / denominator,
      total: total[g]! / denominator,
    }))
    .sort(
      (a, b) =>
        b.selfWeight - a.selfWeight || b.totalWeight - a.totalWeight || frameKey(a.frame).localeCompare(frameKey(b.frame)),
    );
}

/** The profile as collapsed lines (`a;b;c N`), merged and sorted: the text form tests compare. */
export function toCollapsed(profile: Profile): string[] {
  const merged = new Map<string, number>();
  for (const sample of profile.samples) {
    const line = sample.stack.map((id) => frameLabel(profile.frames[id]!)).join(';');
    merged.set(line, (merged.get(line) ?? 0) + sample.weight);
  }
  return [...merged].map(([stack, weight]) => `${stack} ${weight}`).sort();
}

/** A call tree (root → children) with weights: what a flame graph draws. */
export interface CallTreeNode {
  frame: FrameInfo | undefined; // undefined for the root ("all")
  total: number;
  self: number;
  children: CallTreeNode[];
}

export function callTree(profile: Profile): CallTreeNode {
  interface Building extends CallTreeNode {
    byId: Map<number, Building>;
  }
  const make = (frame: FrameInfo | undefined): Building => ({ frame, total: 0, self: 0, children: [], byId: new Map() });
  const root = make(undefined);
  for (const sample of profile.samples) {
    let node = root;
    node.total += sample.weight;
    for (const id of sample.stack) {
      let child = node.byId.get(id);
      if (!child) {
        child = make(profile.frames[id]);
        node.byId.set(id, child);
        node.children.push(child);
      }
      child.total += sample.weight;
      node = child;
    }
    node.self += sample.weight;
  }
  const strip = (node: Building): CallTreeNode => ({
    frame: node.frame,
    total: node.total,
    self: node.self,
    children: node.children
      .map((c) => strip(c as Building))
      .sort((a, b) => (a.frame?.name ?? '').localeCompare(b.frame?.name ?? '')),
  });
  return strip(root);
}
