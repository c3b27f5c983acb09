/**
 * Reader for flame graph SVGs written by inferno (what `py-spy record -o x.svg` embeds; also Brendan Gregg's
 * flamegraph.pl layout). Each frame is a `<g>` holding `<title>name (file:line) (1,234 samples, 5.00%)</title>`
 * and a `<rect>` with `fg:x`/`fg:w` (inferno) or percentage x/width; the root is titled `all (...)`.
 * Depth comes from the rect's y (root at the top when inverted, as py-spy draws it, else at the bottom), and a
 * frame's parent is the frame one level closer to the root whose span contains it.
 *
 * Such SVGs drop frames narrower than ~0.1%: verdicts use raw counts; this reader is for SVGs a user brings
 * and for checking that the picture agrees with the numbers.
 */
import { readFile } from 'node:fs/promises';
import { parse, type INode } from 'svgson';
import { ProfileBuilder, type FrameInfo, type Profile } from './model.js';
import { ProfileParseError } from './parse-error.js';
import { parseFrame } from './pyspy-raw.js';

const TITLE = /^(.*) \(([\d,]+) samples?, [\d.]+%\)$/s;

interface SvgFrame {
  label: string;
  x: number;
  w: number;
  y: number;
  depth: number;
  self: number;
  parent: SvgFrame | undefined;
}

/** svgson leaves XML entities as they are in the text: decode the five named ones and numeric references. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (whole, ref: string) => {
    switch (ref) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
    }
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

// svgson can hand back nodes without `children` for malformed markup (found by fuzzing): treat as empty.
const childrenOf = (node: INode): INode[] => (Array.isArray(node.children) ? node.children : []);

function textOf(node: INode): string {
  return childrenOf(node).map((c) => (c.type === 'text' ? c.value : textOf(c))).join('');
}

function collectFrames(node: INode, out: INode[]): void {
  for (const child of childrenOf(node)) {
    if (child.name === 'g' && childrenOf(child).some((c) => c.name === 'title') && childrenOf(child).some((c) => c.name === 'rect')) {
      out.push(child);
    } else if (child.type === 'element') {
      collectFrames(child, out);
    }
  }
}

export async function parseFlamegraphSvg(text: string, path: string): Promise<Profile> {
  if (!/<\/svg>\s*$/.test(text)) {
    throw new ProfileParseError(path, `offset ${text.length}`, 'the SVG does not end with </svg> (truncated?)');
  }
  let root: INode;
  try {
    root = await parse(text);
  } catch (error) {
    throw new ProfileParseError(path, 'XML', error instanceof Error ? error.message : String(error));
  }
  // Broken markup can come back as several top-level elements (found by fuzzing): not one SVG document.
  if (Array.isArray(root)) throw new ProfileParseError(path, 'XML', `${(root as INode[]).length} top-level elements instead of one <svg>`);
  const groups: INode[] = [];
  collectFrames(root, groups);
  const totalAttr = findAttr(root, 'total_samples');

  const frames: SvgFrame[] = [];
  let rootFrame: SvgFrame | undefined;
  groups.forEach((g, i) => {
    const where = `frame #${i + 1}`;
    const title = decodeXmlEntities(textOf(childrenOf(g).find((c) => c.name === 'title')!)).trim();
    const rect = childrenOf(g).find((c) => c.name === 'rect')!;
    const match = TITLE.exec(title);
    if (!match) throw new ProfileParseError(path, where, `title ${JSON.stringify(title.slice(0, 120))} is not "name (N samples, P%)"`);
    const samples = Number(match[2]!.replaceAll(',', ''));
    const w = numberAttr(rect, 'fg:w') ?? samples;
    const x = numberAttr(rect, 'fg:x') ?? percentToSamples(rect.attributes.x, totalAttr ?? w);
    const y = numberAttr(rect, 'y');
    if (x === undefined || y === undefined || !Number.isFinite(w)) {
      throw new ProfileParseError(path, where, `rect of ${JSON.stringify(match[1])} lacks a usable x, y or width`);
    }
    const frame: SvgFrame = { label: match[1]!, x, w, y, depth: -1, self: w, parent: undefined };
    if (frame.label === 'all') rootFrame = frame;
    else frames.push(frame);
  });
  if (!rootFrame) throw new ProfileParseError(path, 'frames', 'no root frame titled "all (...)": not a flame graph');
  const top = rootFrame;

  // Levels ordered by distance from the root's row: works for both flame (root at bottom) and icicle layouts.
  const distances = [...new Set(frames.map((f) => Math.abs(f.y - top.y)))].sort((a, b) => a - b);
  const levelOf = new Map(distances.map((d, i) => [d, i + 1]));
  const byDepth: SvgFrame[][] = [[top]];
  for (const frame of frames) {
    frame.depth = levelOf.get(Math.abs(frame.y - top.y))!;
    (byDepth[frame.depth] ??= []).push(frame);
  }
  for (let depth = 1; depth < byDepth.length; depth++) {
    const parents = byDepth[depth - 1];
    if (!parents) throw new ProfileParseError(path, `depth ${depth}`, 'a level of the graph is missing');
    parents.sort((a, b) => a.x - b.x);
    for (const frame of byDepth[depth] ?? []) {
      const parent = containing(parents, frame);
      if (!parent) throw new ProfileParseError(path, `frame ${JSON.stringify(frame.label)}`, 'no parent frame spans it');
      frame.parent = parent;
      parent.self -= frame.w;
    }
  }

  const builder = new ProfileBuilder(`flame graph SVG (${path})`);
  const tolerance = 1e-6 * Math.max(1, top.w);
  for (const frame of frames) {
    if (frame.self < -tolerance) {
      throw new ProfileParseError(path, `frame ${JSON.stringify(frame.label)}`, 'its children are wider than it is');
    }
    if (frame.self <= tolerance) continue;
    const stack: FrameInfo[] = [];
    for (let f: SvgFrame | undefined = frame; f && f !== top; f = f.parent) stack.push(parseFrame(f.label));
    builder.appendSample(stack.reverse(), frame.self);
  }
  const profile = builder.build();
  if (profile.samples.length === 0) throw new ProfileParseError(path, 'frames', 'no frames below the root');
  return profile;
}

function containing(sortedParents: SvgFrame[], child: SvgFrame): SvgFrame | undefined {
  let lo = 0;
  let hi = sortedParents.length - 1;
  let best: SvgFrame | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sortedParents[mid]!.x <= child.x + 1e-9) {
      best = sortedParents[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best && child.x + child.w <= best.x + best.w + 1e-6 * Math.max(1, best.w)) return best;
  return undefined;
}

function numberAttr(node: INode, name: string): number | undefined {
  const raw = node.attributes?.[name];
  if (raw === undefined) return undefined;
  const value = Number(raw.replace(/%$/, ''));
  return Number.isFinite(value) ? value : undefined;
}

function percentToSamples(raw: string | undefined, total: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw.replace(/%$/, ''));
  return Number.isFinite(value) ? (value / 100) * total : undefined;
}

function findAttr(node: INode, name: string): number | undefined {
  const direct = numberAttr(node, name);
  if (direct !== undefined) return direct;
  for (const child of childrenOf(node)) {
    const found = child.type === 'element' ? findAttr(child, name) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

export async function readFlamegraphSvg(path: string): Promise<Profile> {
  return parseFlamegraphSvg(await readFile(path, 'utf8'), path);
}
