/** A baseline keeps its run's stacks; a run against it gets the functions that changed and the diff section. */
import { describe, expect, test } from 'vitest';
import { BASELINE_SCHEMA, parseBaseline, type Baseline } from '../../harness/baseline/file.js';
import { compareStacks } from '../../harness/baseline/stacks.js';
import { toCollapsed } from '../../harness/profile/model.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { renderBaselineDiff } from '../../harness/report/baseline-diff.js';

const hostile = '<img src=x onerror=alert(1)>';
const before = parsePySpyRaw('main (app.py:1);handle (app.py:5);work (app.py:9) 800\nmain (app.py:1);handle (app.py:5);checksum (app.py:20) 200\n', 'a.txt');
const after = parsePySpyRaw(`main (app.py:1);handle (app.py:5);work (app.py:9) 500\nmain (app.py:1);handle (app.py:5);checksum (app.py:20) 450\nmain (app.py:1);${hostile} (x.py:1) 50\n`, 'b.txt');

function baseline(collapsed?: string[]): Baseline {
  return { schema: BASELINE_SCHEMA, scenario: 's', createdAt: '2026-12-03T00:00:00Z', runId: 'r', environment: {}, load: null, series: null, hotspots: { totalSamples: 0, frames: [] }, ...(collapsed ? { collapsed } : {}) };
}

describe('baseline stacks', () => {
  test('round-trip through the file and name the function that grew, with its interval', () => {
    const b = parseBaseline(JSON.stringify(baseline(toCollapsed(before))), 'b.json', 's');
    const { block, profile } = compareStacks('b.json', b, after);
    expect(profile?.totalWeight).toBe(1000);
    if (!block.stacks) throw new Error('expected stacks');
    const checksum = block.changed.find((c) => c.function === 'checksum (app.py)');
    expect(checksum).toMatchObject({ kind: 'grew', self_baseline: 0.2, self_current: 0.45, change: 0.25 });
    expect(checksum!.low).toBeGreaterThan(0.2);
    expect(block.changed.find((c) => c.function === 'work (app.py)')?.kind).toBe('shrank');
  });

  test('an old baseline without stacks is still read, and the report says how to re-save it', () => {
    const b = parseBaseline(JSON.stringify(baseline()), 'old.json', 's');
    const { block, profile } = compareStacks('old.json', b, after);
    expect(profile).toBeUndefined();
    expect(block).toMatchObject({ stacks: false, advice: expect.stringMatching(/no stacks.*--save-baseline old\.json/) });
    const html = renderBaselineDiff({ file: 'old.json', baseline: profile, current: after, advice: block.stacks ? undefined : block.advice });
    expect(html).toMatch(/No differential flame graph: .*re-save it with --save-baseline old\.json/);
    expect(html).not.toContain('<svg');
  });

  test('a malformed stack line is a corrupt baseline', () => {
    expect(() => parseBaseline(JSON.stringify(baseline(['main (app.py:1) x'])), 'b.json', 's')).toThrow(/corrupt: missing or malformed collapsed/);
  });

  test('the report section draws the diff with the grown function red and escapes profile names', () => {
    const html = renderBaselineDiff({ file: 'b<x>.json', baseline: before, current: after });
    expect(html).toContain('<section id="baseline-diff">');
    expect(html).toContain('b&lt;x&gt;.json');
    expect(html).toMatch(/<tr class="grew regression"><td class="mono">checksum \(app\.py\)<\/td>/);
    expect(html).not.toContain(hostile);
    expect(renderBaselineDiff(undefined)).toBe('');
  });
});
