import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { callTree, frameLabel, frameStats, toCollapsed, type CallTreeNode, type Profile } from '../../harness/profile/model.js';
import { decodeXmlEntities, parseFlamegraphSvg, readFlamegraphSvg } from '../../harness/profile/flamegraph-svg.js';
import { ProfileParseError } from '../../harness/profile/parse-error.js';
import { readPySpyRaw } from '../../harness/profile/pyspy-raw.js';

const samples = path.join(import.meta.dirname, '..', 'samples');

/** Every node of the call tree as `a;b;c` -> total weight. */
function nodeTotals(profile: Profile): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (node: CallTreeNode, prefix: string) => {
    for (const child of node.children) {
      const key = prefix ? `${prefix};${frameLabel(child.frame!)}` : frameLabel(child.frame!);
      out.set(key, child.total);
      walk(child, key);
    }
  };
  walk(callTree(profile), '');
  return out;
}

describe('flame graph SVG reader', () => {
  test.each([
    ['synthetic.inferno.svg', 'synthetic.raw.txt'],
    ['synthetic.inferno-inverted.svg', 'synthetic.raw.txt'],
    ['badapp.inferno-inverted.svg', 'badapp.raw.txt'],
  ])('%s agrees with the raw counts on every frame it keeps', async (svgFile, rawFile) => {
    const raw = await readPySpyRaw(path.join(samples, rawFile));
    const svg = await readFlamegraphSvg(path.join(samples, svgFile));
    expect(svg.totalWeight).toBe(raw.totalWeight);
    const rawNodes = nodeTotals(raw);
    const svgNodes = nodeTotals(svg);
    for (const [stack, total] of svgNodes) expect(rawNodes.get(stack), stack).toBe(total);
    // What it left out is exactly what a flame graph drops: frames narrower than 0.1%.
    const dropped = [...rawNodes].filter(([stack]) => !svgNodes.has(stack));
    for (const [stack, total] of dropped) expect(total / raw.totalWeight, stack).toBeLessThan(0.001);
    if (svgFile.startsWith('synthetic')) expect(dropped.length).toBeGreaterThan(50);
  });

  test('the top hotspot and its share read the same from the picture and the numbers', async () => {
    const raw = frameStats(await readPySpyRaw(path.join(samples, 'badapp.raw.txt')))[0]!;
    const svg = frameStats(await readFlamegraphSvg(path.join(samples, 'badapp.inferno-inverted.svg')))[0]!;
    expect(svg.frame.name).toBe('hash_password');
    expect(svg.selfWeight).toBe(raw.selfWeight);
  });

  test("reads py-spy's own SVG: entities decoded, names intact", async () => {
    const svg = await readFlamegraphSvg(path.join(samples, 'badapp.concurrent.svg'));
    const names = new Set(svg.frames.map((f) => f.name));
    expect(names).toContain('<module>');
    expect(svg.frames.some((f) => f.file === '<frozen runpy>')).toBe(true);
    expect(frameStats(svg)[0]!.frame.name).toBe('hash_password');
    expect(svg.totalWeight).toBe(653);
  });

  test('XML entities: named and numeric', () => {
    expect(decodeXmlEntities('&lt;module&gt; &amp; &quot;x&quot; &apos;y&apos; &#65;&#x42;')).toBe(`<module> & "x" 'y' AB`);
    expect(decodeXmlEntities('&unknown; &#xFFFFFFF;')).toBe('&unknown; &#xFFFFFFF;');
  });

  test('a truncated SVG is an error naming the file, never a partial profile', async () => {
    const text = await readFile(path.join(samples, 'badapp.concurrent.svg'), 'utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.6));
    await expect(parseFlamegraphSvg(cut, 'flame.svg')).rejects.toThrow(ProfileParseError);
    await expect(parseFlamegraphSvg(cut, 'flame.svg')).rejects.toThrow(/^cannot read profile flame\.svg: offset \d+: the SVG does not end with <\/svg> \(truncated\?\)/);
  });

  test.each([
    ['not XML at all', 'hello </svg>', /flame\.svg: (XML|frames): /],
    ['broken markup that parses as several roots (found by fuzzing)', '<svg ://x.y"><svg version="1.1"></svg></svg>', /flame\.svg: XML: 2 top-level elements instead of one <svg>/],
    ['an SVG without frames', '<svg xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0"/></svg>', /no root frame titled "all/],
    [
      'a frame with a broken title',
      '<svg><g><title>all (10 samples, 100%)</title><rect x="0" y="10" width="100%" fg:x="0" fg:w="10"/></g><g><title>oops</title><rect x="0" y="26" fg:x="0" fg:w="5"/></g></svg>',
      /frame #2: title "oops" is not "name \(N samples, P%\)"/,
    ],
    [
      'children wider than their parent',
      '<svg><g><title>all (10 samples, 100%)</title><rect y="0" fg:x="0" fg:w="10"/></g><g><title>a (10 samples, 100%)</title><rect y="16" fg:x="0" fg:w="10"/></g><g><title>b (12 samples, 100%)</title><rect y="32" fg:x="0" fg:w="12"/></g></svg>',
      /frame "b": no parent frame spans it/,
    ],
  ])('rejects %s with the file and place', async (_what, text, message) => {
    await expect(parseFlamegraphSvg(text, 'flame.svg')).rejects.toThrow(message);
  });
});

test('the small fuzz seeds read back as their raw profile', async () => {
  const raw = await readPySpyRaw(path.join(samples, 'small.raw.txt'));
  for (const f of ['small.inferno.svg', 'small.inferno-inverted.svg']) {
    const svg = await readFlamegraphSvg(path.join(samples, f));
    expect(toCollapsed(svg)).toEqual(toCollapsed(raw));
  }
});
