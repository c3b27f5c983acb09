import { describe, expect, test } from 'vitest';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';
import { renderDiffFlameGraph } from '../../harness/report/diff-flamegraph.js';

const raw = (lines: string[]) => parsePySpyRaw(lines.join('\n') + '\n', 'test');
const R = '<module> (app.py:1);handle (app.py:5)';

describe('renderDiffFlameGraph', () => {
  const baseline = raw([`${R};hot (app.py:9) 850`, `${R};checksum (app.py:20) 50`, `${R};gone (app.py:30) 100`]);
  const current = raw([`${R};hot (app.py:9) 1300`, `${R};checksum (app.py:21) 500`, `${R};fresh (app.py:40) 200`]);
  const html = renderDiffFlameGraph(baseline, current, { id: 'd1' });
  const frameFill = (svg: string, label: string) => {
    const m = new RegExp(`<title>${label.replace(/[().]/g, '\\$&')} — [^<]*</title><rect [^>]*fill="([^"]+)"`).exec(svg);
    return m?.[1];
  };
  const [forward, reverse] = html.split('<div class="dview dview-rev">');

  test('the current layout: grown frames red, shrunk blue, matched by function across lines', () => {
    expect(frameFill(forward!, 'checksum (app.py)')).toMatch(/^hsl\(0 85% \d+%\)$/);
    expect(frameFill(forward!, 'hot (app.py)')).toMatch(/^hsl\(220 85% \d+%\)$/);
    expect(frameFill(forward!, 'fresh (app.py)')).toMatch(/^hsl\(0 /);
    expect(forward).not.toContain('gone (app.py)');
    expect(forward).toContain('checksum (app.py) — this run 25.00%, baseline 5.00%, change +20.00 points');
  });

  test('the reverse view draws the baseline layout, so the vanished frame shows (blue: it shrank to nothing)', () => {
    expect(reverse).toContain('gone (app.py) — baseline 10.00%, this run 0.00%, change -10.00 points');
    expect(frameFill(reverse!, 'gone (app.py)')).toMatch(/^hsl\(220 /);
    expect(html).toMatch(/<input class="dtoggle" type="radio" name="d1-view" id="d1-rev">/);
  });

  test('lists the functions that changed beyond the interval, regressions marked', () => {
    expect(html).toMatch(/<tr class="grew regression"><td class="mono">checksum \(app\.py\)<\/td><td>grew<\/td><td class="num">5\.0%<\/td><td class="num">25\.0%<\/td><td class="num">\+20\.0<\/td>/);
    expect(html).toMatch(/<tr class="vanished"><td class="mono">gone \(app\.py\)/);
    expect(html).not.toMatch(/<script/);
  });

  test('everything from a profile is escaped', () => {
    const evil = raw([`<module> (app.py:1);<img src=x onerror=alert(1)> (</script>.py:2) 5`]);
    const out = renderDiffFlameGraph(evil, raw([`<module> (app.py:1);<img src=x onerror=alert(1)> (</script>.py:2) 9`, '<module> (app.py:1);other (a.py:1) 3']));
    expect(out).not.toContain('<img');
    expect(out).not.toContain('</script>');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  test('an empty profile says so instead of drawing', () => {
    expect(renderDiffFlameGraph({ source: 'x', frames: [], samples: [], totalWeight: 0 }, current)).toMatch(/empty/);
  });
});
