/**
 * The differential flame graph: the current profile's icicle (root on top), each frame coloured by how its share
 * of samples at that call path changed against the baseline: red grew, blue shrank, white unchanged, the colour's
 * depth proportional to the change (normalised to each profile's sample total, as difffolded.pl -n does). Frames
 * are matched by call path of functions (name and file; lines ignored, since py-spy reports the executing line).
 * A second view draws the baseline's layout with the change reversed, so what vanished shows too; a CSS-only
 * toggle switches them (no script: the report's Content-Security-Policy admits only its own script hashes).
 * Everything that came from a profile is escaped (escape.ts). Returns an HTML fragment with its own scoped style.
 */
import { percent } from '../assert/verdict.js';
import { diffProfiles, regressions, type FunctionChange } from '../profile/diff.js';
import { frameKey, frameLabel, type FrameInfo, type Profile } from '../profile/model.js';
import { escapeHtml } from './escape.js';

const WIDTH = 1200;
const ROW = 18;
const MIN_SHARE = 0.001;

interface Node {
  key: string;
  label: string;
  weight: number;
  children: Map<string, Node>;
}

function pathTree(profile: Profile): Node {
  const root: Node = { key: '', label: 'all', weight: 0, children: new Map() };
  const keys = profile.frames.map(frameKey);
  for (const sample of profile.samples) {
    let node = root;
    node.weight += sample.weight;
    for (const id of sample.stack) {
      const key = keys[id]!;
      let child = node.children.get(key);
      if (!child) node.children.set(key, (child = { key, label: labelOf(profile.frames[id]!), weight: 0, children: new Map() }));
      child.weight += sample.weight;
      node = child;
    }
  }
  return root;
}

const labelOf = (frame: FrameInfo) => frameLabel({ name: frame.name, file: frame.file });

/** Red for growth, blue for shrinkage; intensity relative to the largest change drawn. */
function colour(delta: number, scale: number): string {
  const t = scale > 0 ? Math.min(1, Math.abs(delta) / scale) : 0;
  const light = Math.round(96 - t * 46);
  return delta > 0 ? `hsl(0 85% ${light}%)` : delta < 0 ? `hsl(220 85% ${light}%)` : 'hsl(0 0% 96%)';
}

function fit(label: string, px: number): string {
  const chars = Math.floor((px - 8) / 6.8);
  if (chars < 3) return '';
  return label.length > chars ? label.slice(0, chars - 1) + '…' : label;
}

/** One icicle of `drawn`'s layout, coloured by (drawn share - other share) at each path, times `sign`. */
function icicle(drawn: Node, other: Node, sign: 1 | -1, names: { drawn: string; other: string }, aria: string): string {
  const groups: string[] = [];
  let depthMax = 0;
  const totalD = drawn.weight || 1;
  const totalO = other.weight || 1;
  // First pass: the largest change, for the colour scale.
  let scale = 0;
  const measure = (d: Node, o: Node | undefined) => {
    if (d !== drawn) scale = Math.max(scale, Math.abs(d.weight / totalD - (o?.weight ?? 0) / totalO));
    for (const [k, c] of d.children) if (c.weight / totalD >= MIN_SHARE) measure(c, o?.children.get(k));
  };
  measure(drawn, other);
  const walk = (d: Node, o: Node | undefined, x: number, depth: number) => {
    const shareD = d.weight / totalD;
    const shareO = (o?.weight ?? 0) / totalO;
    const change = sign * (shareD - shareO); // always "current minus baseline"
    const w = shareD * WIDTH;
    const tip = `${d.label} — ${names.drawn} ${percent(shareD, 2)}, ${names.other} ${percent(shareO, 2)}, change ${change >= 0 ? '+' : ''}${(change * 100).toFixed(2)} points`;
    groups.push(
      `<g class="dfr" data-change="${change.toFixed(5)}"><title>${escapeHtml(tip)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${depth * ROW}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${ROW - 1}" rx="2" fill="${d === drawn ? 'hsl(30 8% 80%)' : colour(change, scale)}" stroke="hsl(0 0% 70%)" stroke-width="0.3"/>` +
        `<text x="${(x + 4).toFixed(2)}" y="${depth * ROW + 12.5}">${escapeHtml(fit(d.label, w))}</text></g>`,
    );
    depthMax = Math.max(depthMax, depth);
    let childX = x;
    const children = [...d.children.values()].sort((a, b) => a.label.localeCompare(b.label));
    for (const c of children) {
      if (c.weight / totalD >= MIN_SHARE) walk(c, o?.children.get(c.key), childX, depth + 1);
      childX += (c.weight / totalD) * WIDTH;
    }
  };
  walk(drawn, other, 0, 0);
  const height = (depthMax + 1) * ROW;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="none" style="height:${height}px" role="img" aria-label="${escapeHtml(aria)}">${groups.join('')}</svg>`;
}

export interface DiffFlameOptions {
  /** Distinguishes several diff graphs on one page (the toggle's input names). Letters, digits, dashes. */
  id?: string;
  /** Threshold in points for the list of changed functions (default 1). */
  thresholdPoints?: number;
  baselineName?: string;
  currentName?: string;
}

/**
 * The differential flame graph of `current` against `baseline`, and the functions whose self share changed
 * beyond the interval, as a self-contained HTML fragment.
 */
export function renderDiffFlameGraph(baseline: Profile, current: Profile, options: DiffFlameOptions = {}): string {
  const id = (options.id ?? 'diff').replace(/[^A-Za-z0-9-]/g, '');
  if (baseline.totalWeight === 0 || current.totalWeight === 0) return '<p class="muted">One of the profiles is empty: nothing to compare.</p>';
  const names = { current: options.currentName ?? 'this run', baseline: options.baselineName ?? 'baseline' };
  const a = pathTree(baseline);
  const b = pathTree(current);
  const forward = icicle(b, a, 1, { drawn: names.current, other: names.baseline }, 'differential flame graph: this run, coloured by change against the baseline');
  const reverse = icicle(a, b, -1, { drawn: names.baseline, other: names.current }, 'differential flame graph, reversed: the baseline layout, so vanished frames show');
  const diff = diffProfiles(baseline, current);
  const threshold = options.thresholdPoints ?? 1;
  const grown = new Set(regressions(diff, threshold).map((c) => c.key));
  const listed = diff.changes.filter((c) => c.kind !== 'unchanged' && Math.abs(c.delta.estimate) * 100 >= threshold);
  const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
  const row = (c: FunctionChange) =>
    `<tr class="${c.kind}${grown.has(c.key) ? ' regression' : ''}"><td class="mono">${escapeHtml(c.key)}</td><td>${escapeHtml(c.kind)}</td>` +
    `<td class="num">${percent(c.selfA)}</td><td class="num">${percent(c.selfB)}</td><td class="num">${pts(c.delta.estimate)}</td>` +
    `<td class="num">${pts(c.delta.low)} .. ${pts(c.delta.high)}</td></tr>`;
  return `<div class="diff-flame" id="${id}">
<style>
#${id} .dview{display:none}
#${id} input.dtoggle{position:absolute;opacity:0}
#${id} #${id}-fwd:checked ~ .dview-fwd, #${id} #${id}-rev:checked ~ .dview-rev{display:block}
#${id} label.dlabel{display:inline-block;padding:2px 10px;border:1px solid #bbb;border-radius:4px;cursor:pointer;margin-right:6px}
#${id} #${id}-fwd:checked ~ label[for=${id}-fwd], #${id} #${id}-rev:checked ~ label[for=${id}-rev]{background:#333;color:#fff}
#${id} svg text{font:11.5px ui-monospace,monospace;fill:#222;pointer-events:none}
#${id} tr.grew td, #${id} tr.new td{color:#a00}
#${id} tr.shrank td, #${id} tr.vanished td{color:#14a}
#${id} tr.regression td:first-child{font-weight:bold}
</style>
<input class="dtoggle" type="radio" name="${id}-view" id="${id}-fwd" checked>
<input class="dtoggle" type="radio" name="${id}-view" id="${id}-rev">
<label class="dlabel" for="${id}-fwd">${escapeHtml(names.current)} (red grew, blue shrank)</label>
<label class="dlabel" for="${id}-rev">${escapeHtml(names.baseline)} layout (shows what vanished)</label>
<p class="muted">Shares of each profile's own samples (${current.totalWeight} in ${escapeHtml(names.current)}, ${baseline.totalWeight} in ${escapeHtml(names.baseline)}); colour = change of the share at that call path.</p>
<div class="dview dview-fwd">${forward}</div>
<div class="dview dview-rev">${reverse}</div>
${listed.length === 0
  ? `<p>No function's self share changed by ${threshold} point${threshold === 1 ? '' : 's'} or more with its ${Math.round(diff.confidence * 100)}% interval excluding zero.</p>`
  : `<table class="diff-table"><thead><tr><th>function</th><th>change</th><th>self ${escapeHtml(names.baseline)}</th><th>self ${escapeHtml(names.current)}</th><th>points</th><th>${Math.round(diff.confidence * 100)}% interval</th></tr></thead><tbody>${listed.map(row).join('')}</tbody></table>`}
</div>`;
}
