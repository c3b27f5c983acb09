/**
 * The report's flame graph: an icicle (root on top) drawn from the profile model as inline SVG, plus a small
 * self-written script for search and zoom. Nothing from the profile ever reaches the script as code: names
 * travel in escaped attributes and titles, and the script only reads them back through dataset/textContent
 * and writes them with textContent. py-spy's own SVG stays an artifact (it carries its own script).
 */
import { callTree, frameLabel, type CallTreeNode, type Profile } from '../profile/model.js';
import { percent } from '../assert/verdict.js';
import { escapeHtml } from './escape.js';

const WIDTH = 1200;
const ROW = 18;

/** Frames narrower than this share of all samples are left out, as inferno does (0.1%). */
const MIN_SHARE = 0.001;

export function renderFlameGraph(profile: Profile): string {
  const root = callTree(profile);
  if (root.total === 0) return '<p class="muted">The profile is empty.</p>';
  const groups: string[] = [];
  let depthMax = 0;
  const walk = (node: CallTreeNode, x: number, depth: number) => {
    const share = node.total / root.total;
    const w = share * WIDTH;
    const label = node.frame ? frameLabel(node.frame) : 'all';
    const tip = `${label} — ${node.total} samples, ${percent(share, 2)} (self ${node.self})`;
    groups.push(
      `<g class="fr" data-x="${(x / WIDTH).toFixed(7)}" data-w="${share.toFixed(7)}" data-d="${depth}" data-n="${escapeHtml(label)}">` +
        `<title>${escapeHtml(tip)}</title>` +
        `<rect x="${x.toFixed(2)}" y="${depth * ROW}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${ROW - 1}" rx="2" fill="${color(node.frame ? label : '')}"/>` +
        `<text x="${(x + 4).toFixed(2)}" y="${depth * ROW + 12.5}">${escapeHtml(fit(label, w))}</text></g>`,
    );
    depthMax = Math.max(depthMax, depth);
    let childX = x;
    for (const child of node.children) {
      if (child.total / root.total >= MIN_SHARE) walk(child, childX, depth + 1);
      childX += (child.total / root.total) * WIDTH;
    }
  };
  walk(root, 0, 0);
  const height = (depthMax + 1) * ROW;
  return `<div class="flame">
<div class="flame-tools">
<input type="search" id="flame-search" placeholder="Search functions or files (regular expression; press /)" aria-label="search the flame graph" autocomplete="off" spellcheck="false">
<button type="button" id="flame-reset" disabled>Reset zoom</button>
<span id="flame-status" class="muted" aria-live="polite"></span>
</div>
<svg id="flame-svg" xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 ${WIDTH} ${height}" preserveAspectRatio="none" style="height:${height}px" role="img" aria-label="flame graph">${groups.join('')}</svg>
<div id="flame-detail" class="flame-detail mono">Hover a frame for its numbers; click to zoom into it.</div>
</div>`;
}

/** Text that fits a frame `px` wide (monospace ~6.8 px per character at 11.5 px). */
function fit(label: string, px: number): string {
  const chars = Math.floor((px - 8) / 6.8);
  if (chars < 3) return '';
  return label.length > chars ? label.slice(0, chars - 1) + '…' : label;
}

/** Warm colours keyed by name, so one function has one colour everywhere; the root is grey. */
function color(name: string): string {
  if (!name) return 'hsl(30 8% 62%)';
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  const h = Math.abs(hash);
  return `hsl(${8 + (h % 42)} ${62 + ((h >> 6) % 24)}% ${56 + ((h >> 12) % 14)}%)`;
}

/**
 * Search (regular expression, or literal text when it is not one) and zoom. Kept as a constant so its hash
 * can go into the page's Content-Security-Policy: only this script may run, whatever a profile contains.
 */
export const flameScript = `(() => {
  const svg = document.getElementById('flame-svg');
  if (!svg) return;
  const W = ${WIDTH};
  const frames = Array.from(svg.querySelectorAll('g.fr')).map((g) => ({
    g, x: Number(g.dataset.x), w: Number(g.dataset.w), d: Number(g.dataset.d), n: g.dataset.n || '',
    rect: g.querySelector('rect'), text: g.querySelector('text'), title: g.querySelector('title'),
  }));
  const input = document.getElementById('flame-search');
  const status = document.getElementById('flame-status');
  const reset = document.getElementById('flame-reset');
  const detail = document.getElementById('flame-detail');
  const eps = 1e-9;
  let zoom = frames[0];
  const fit = (label, px) => {
    const chars = Math.floor((px - 8) / 6.8);
    if (chars < 3) return '';
    return label.length > chars ? label.slice(0, chars - 1) + '\\u2026' : label;
  };
  const draw = () => {
    for (const f of frames) {
      const inside = f.d >= zoom.d && f.x >= zoom.x - eps && f.x + f.w <= zoom.x + zoom.w + eps;
      const ancestor = f.d < zoom.d && f.x <= zoom.x + eps && f.x + f.w >= zoom.x + zoom.w - eps;
      if (!inside && !ancestor) { f.g.style.display = 'none'; continue; }
      f.g.style.display = '';
      const x = ancestor ? 0 : ((f.x - zoom.x) / zoom.w) * W;
      const w = ancestor ? W : (f.w / zoom.w) * W;
      f.rect.setAttribute('x', x.toFixed(2));
      f.rect.setAttribute('width', Math.max(w - 0.5, 0.5).toFixed(2));
      f.text.setAttribute('x', (x + 4).toFixed(2));
      f.text.textContent = fit(f.n, w);
      f.g.classList.toggle('above', ancestor);
    }
    reset.disabled = zoom === frames[0];
  };
  const search = () => {
    const q = input.value.trim();
    let re = null;
    if (q) {
      try { re = new RegExp(q, 'i'); } catch { re = new RegExp(q.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&'), 'i'); }
    }
    const hits = [];
    for (const f of frames) {
      const hit = re !== null && f.d > 0 && re.test(f.n);
      f.g.classList.toggle('hit', hit);
      if (hit) hits.push(f);
    }
    // Share of samples under any match: nested matches (recursion) count once.
    hits.sort((a, b) => a.x - b.x || b.w - a.w);
    let covered = 0;
    let end = -1;
    for (const h of hits) {
      if (h.x + h.w <= end + eps) continue;
      covered += h.w;
      end = h.x + h.w;
    }
    svg.classList.toggle('searching', re !== null);
    status.textContent = re === null ? '' : hits.length === 0 ? 'no frame matches'
      : hits.length + (hits.length === 1 ? ' frame matches: ' : ' frames match: ') + (covered * 100).toFixed(1) + '% of samples';
  };
  svg.addEventListener('click', (event) => {
    const g = event.target.closest('g.fr');
    const f = g && frames.find((x) => x.g === g);
    if (!f) return;
    zoom = f === zoom ? frames[0] : f;
    draw();
  });
  svg.addEventListener('mouseover', (event) => {
    const g = event.target.closest('g.fr');
    const f = g && frames.find((x) => x.g === g);
    if (f) detail.textContent = f.title.textContent;
  });
  reset.addEventListener('click', () => { zoom = frames[0]; draw(); });
  // '/' jumps to the search box; Escape clears the search, then the zoom.
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input) { event.preventDefault(); input.focus(); input.select(); }
    else if (event.key === 'Escape') {
      if (input.value) { input.value = ''; search(); }
      else { zoom = frames[0]; draw(); }
    }
  });
  input.addEventListener('input', search);
  for (const row of document.querySelectorAll('[data-search]')) {
    row.addEventListener('click', () => {
      input.value = row.dataset.search;
      search();
      input.scrollIntoView({ block: 'center', behavior: 'smooth' });
    });
  }
  draw();
})();`;
