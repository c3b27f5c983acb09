/**
 * The report's flame graph: an icicle (root on top) drawn from the profile model as inline SVG, plus a small
 * self-written script. Three views of one profile, each drawn as a layer of the same SVG:
 * - `func` (default): frames merged by function, as speedscope and Pyroscope show them;
 * - `line`: one frame per source line, as py-spy printed it;
 * - `app` ("focus on my code"): each run of framework frames above the app's code collapses into one node.
 * Frames are coloured by kind (the app's code, third-party, standard library, native) with a legend. Stacks
 * that are empty or do not start at a thread's entry point are grouped under a labelled node with their share.
 *
 * The script re-lays the frames out at the SVG's real width (on load and on resize), zooms, searches,
 * shows breadcrumbs and a sandwich (callers and callees of the selected function), moves with the keyboard,
 * and keeps view, zoom and search in the URL hash. Nothing from the profile ever reaches the script as code:
 * names travel in escaped attributes and titles, and the script reads them through dataset/textContent and
 * writes them with textContent.
 */
import { frameKey, frameLabel, type FrameInfo, type Profile } from '../profile/model.js';
import { percent } from '../assert/verdict.js';
import { escapeHtml } from './escape.js';
import { frameKind, kindLabels, type FrameKind } from './frame-kind.js';

const WIDTH = 1200;
const ROW = 18;

/** Frames narrower than this share of all samples are left out, as inferno does (0.1%). */
const MIN_SHARE = 0.001;

export type FlameView = 'func' | 'line' | 'app';
type Kind = FrameKind | 'meta';

export interface FlameNode {
  label: string;
  /** Function identity (frameKey), shared by every node of one function: what the sandwich groups by. */
  fn: string;
  kind: Kind;
  total: number;
  self: number;
  children: FlameNode[];
}

const ENTRY = /(^|\.)_bootstrap(_inner)?$|^<module>$|^_run_module_as_main$|^_run_code$|^run$|^main$/;

/** The call tree for one view, children sorted by name (as flame graphs do), with meta nodes for odd stacks. */
export function flameTree(profile: Profile, view: FlameView): FlameNode {
  type B = FlameNode & { byKey: Map<string, B> };
  const make = (label: string, fn: string, kind: Kind): B => ({ label, fn, kind, total: 0, self: 0, children: [], byKey: new Map() });
  const root = make('all', '', 'meta');
  const meta = (label: string) => ({ label, fn: `meta:${label}`, kind: 'meta' as const });
  const node = (f: FrameInfo) => ({
    label: view === 'line' ? frameLabel(f) : frameKey(f),
    fn: frameKey(f),
    kind: frameKind(f) as Kind,
  });
  for (const sample of profile.samples) {
    const frames = sample.stack.map((id) => profile.frames[id]!);
    let path: { label: string; fn: string; kind: Kind }[];
    if (frames.length === 0) path = [meta('(empty stacks)')];
    else {
      path = frames.map(node);
      if (view === 'app') {
        const kinds = frames.map(frameKind);
        if (!kinds.includes('app')) path = [meta("(no app code on the stack)"), path[path.length - 1]!];
        else {
          const out: typeof path = [];
          let run = 0;
          for (let i = 0; i < path.length; i++) {
            const laterApp = kinds.slice(i + 1).includes('app');
            if (kinds[i] !== 'app' && laterApp) {
              run++;
              continue;
            }
            if (run) out.push(meta('… framework frames'));
            run = 0;
            out.push(path[i]!);
          }
          path = out;
        }
      }
      if (!ENTRY.test(frames[0]!.name)) path = [meta('(truncated stacks: no thread entry point)'), ...path];
    }
    let at = root;
    at.total += sample.weight;
    for (const step of path) {
      const id = `${step.kind}\u0000${step.label}`;
      let child = at.byKey.get(id);
      if (!child) {
        child = make(step.label, step.fn, step.kind);
        at.byKey.set(id, child);
        at.children.push(child);
      }
      child.total += sample.weight;
      at = child;
    }
    at.self += sample.weight;
  }
  const strip = (n: B): FlameNode => ({
    label: n.label,
    fn: n.fn,
    kind: n.kind,
    total: n.total,
    self: n.self,
    children: n.children.map((c) => strip(c as B)).sort((a, b) => a.label.localeCompare(b.label)),
  });
  return strip(root);
}

const VIEWS: [FlameView, string][] = [
  ['func', 'By function'],
  ['line', 'By line'],
  ['app', 'Focus on my code'],
];

export function renderFlameGraph(profile: Profile): string {
  if (profile.totalWeight === 0 || profile.samples.length === 0) return '<p class="muted">The profile is empty.</p>';
  const layers: string[] = [];
  for (const [view] of VIEWS) {
    const root = flameTree(profile, view);
    const groups: string[] = [];
    let depthMax = 0;
    let index = 0;
    const walk = (n: FlameNode, x: number, depth: number, parent: number) => {
      const i = index++;
      const share = n.total / root.total;
      const w = share * WIDTH;
      const label = n.kind === 'meta' && depth > 0 ? `${n.label} · ${percent(share, 1)}` : n.label;
      const tip = `${label} — ${n.total} samples, ${percent(share, 2)} (self ${n.self})${n.kind === 'meta' ? '' : ` · ${kindLabels[n.kind]}`}`;
      groups.push(
        `<g class="fr k-${n.kind}" data-i="${i}" data-p="${parent}" data-x="${(x / WIDTH).toFixed(7)}" data-w="${share.toFixed(7)}" data-d="${depth}" data-s="${n.self}" data-t="${n.total}" data-n="${escapeHtml(label)}" data-f="${escapeHtml(n.fn)}">` +
          `<title>${escapeHtml(tip)}</title>` +
          `<rect x="${x.toFixed(2)}" y="${depth * ROW}" width="${Math.max(w - 0.5, 0.5).toFixed(2)}" height="${ROW - 1}" rx="2"/>` +
          `<text x="${(x + 4).toFixed(2)}" y="${depth * ROW + 12.5}">${escapeHtml(fit(label, w))}</text></g>`,
      );
      depthMax = Math.max(depthMax, depth);
      let childX = x;
      for (const child of n.children) {
        if (child.total / root.total >= MIN_SHARE) walk(child, childX, depth + 1, i);
        childX += (child.total / root.total) * WIDTH;
      }
    };
    walk(root, 0, 0, -1);
    layers.push(`<g class="view" data-view="${view}" data-h="${(depthMax + 1) * ROW}"${view === 'func' ? '' : ' style="display:none"'}>${groups.join('')}</g>`);
  }
  const firstHeight = /data-h="(\d+)"/.exec(layers[0]!)![1];
  return `<div class="flame">
<div class="flame-tools">
<div class="seg" role="group" aria-label="flame graph view">${VIEWS.map(([v, label]) => `<button type="button" data-view="${v}" aria-pressed="${v === 'func'}">${label}</button>`).join('')}</div>
<input type="search" id="flame-search" placeholder="Search functions or files (regex; press /)" aria-label="search the flame graph" autocomplete="off" spellcheck="false">
<button type="button" id="flame-reset" disabled>Reset zoom</button>
<span id="flame-status" class="muted" aria-live="polite"></span>
</div>
<div class="legend">${(Object.keys(kindLabels) as FrameKind[]).map((k) => `<span><i class="sw k-${k}"></i>${kindLabels[k]}</span>`).join('')}<span><i class="sw k-meta"></i>grouped (framework, truncated)</span></div>
<nav id="flame-crumbs" class="crumbs" aria-label="zoom path"></nav>
<svg id="flame-svg" xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 ${WIDTH} ${firstHeight}" tabindex="0" role="img" aria-label="flame graph: arrow keys move, Enter zooms, Escape zooms out">${layers.join('')}</svg>
<div id="flame-detail" class="flame-detail mono">Hover or select a frame for its numbers; click (or Enter) to zoom into it.</div>
<div id="flame-sandwich" class="sandwich" hidden><h3>Sandwich: <span class="mono" id="sw-name"></span></h3><div class="sw-cols"><div><h4>Callers</h4><table><tbody id="sw-callers"></tbody></table></div><div><h4>Callees</h4><table><tbody id="sw-callees"></tbody></table></div></div></div>
</div>`;
}

/** Text that fits a frame `px` wide (monospace ~6.8 px per character at 11.5 px). */
function fit(label: string, px: number): string {
  const chars = Math.floor((px - 8) / 6.8);
  if (chars < 3) return '';
  return label.length > chars ? label.slice(0, chars - 1) + '…' : label;
}

/**
 * The page's script. Kept as a constant so its hash can go into the page's Content-Security-Policy: only this
 * script may run, whatever a profile contains.
 */
export const flameScript = `(() => {
  const svg = document.getElementById('flame-svg');
  if (!svg) return;
  const ROW = ${ROW};
  const eps = 1e-9;
  const views = {};
  for (const layer of svg.querySelectorAll('g.view')) {
    const frames = Array.from(layer.querySelectorAll('g.fr')).map((g) => ({
      g, i: Number(g.dataset.i), p: Number(g.dataset.p), x: Number(g.dataset.x), w: Number(g.dataset.w), d: Number(g.dataset.d),
      s: Number(g.dataset.s), t: Number(g.dataset.t), n: g.dataset.n || '', f: g.dataset.f || '',
      rect: g.querySelector('rect'), text: g.querySelector('text'), title: g.querySelector('title'),
    }));
    const byIndex = new Map(frames.map((f) => [f.i, f]));
    views[layer.dataset.view] = { layer, frames, byIndex, h: Number(layer.dataset.h) };
  }
  const input = document.getElementById('flame-search');
  const status = document.getElementById('flame-status');
  const reset = document.getElementById('flame-reset');
  const detail = document.getElementById('flame-detail');
  const crumbs = document.getElementById('flame-crumbs');
  const sandwich = document.getElementById('flame-sandwich');
  const buttons = Array.from(document.querySelectorAll('.seg button[data-view]'));
  let view = views.func;
  let zoom = view.frames[0];
  let selected = null;
  const fit = (label, px) => {
    const chars = Math.floor((px - 8) / 6.8);
    if (chars < 3) return '';
    return label.length > chars ? label.slice(0, chars - 1) + '\\u2026' : label;
  };
  const width = () => Math.max(200, Math.round(svg.getBoundingClientRect().width || 1200));
  const pct = (x) => (x * 100).toFixed(1) + '%';
  const writeHash = () => {
    const params = new URLSearchParams();
    const name = Object.keys(views).find((k) => views[k] === view);
    if (name !== 'func') params.set('view', name);
    if (zoom !== view.frames[0]) params.set('zoom', String(zoom.i));
    if (input.value) params.set('q', input.value);
    const text = params.toString();
    const hash = text ? '#flame?' + text : '';
    if (hash !== location.hash && (hash || location.hash.startsWith('#flame?'))) history.replaceState(null, '', hash || location.pathname + location.search);
  };
  const draw = () => {
    const W = width();
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + view.h);
    svg.style.height = view.h + 'px';
    for (const f of view.frames) {
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
      f.g.classList.toggle('sel', f === selected);
    }
    reset.disabled = zoom === view.frames[0];
    crumbs.textContent = '';
    const chain = [];
    for (let f = zoom; f; f = view.byIndex.get(f.p)) chain.unshift(f);
    chain.forEach((f, k) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = f.d === 0 ? 'all' : f.n;
      b.title = f.n;
      if (k === chain.length - 1) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', () => { zoom = f; select(f); draw(); writeHash(); });
      crumbs.append(b);
    });
  };
  const search = () => {
    const q = input.value.trim();
    let re = null;
    if (q) {
      try { re = new RegExp(q, 'i'); } catch { re = new RegExp(q.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&'), 'i'); }
    }
    const hits = [];
    for (const f of view.frames) {
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
    writeHash();
  };
  const fill = (tbody, rows, total) => {
    tbody.textContent = '';
    if (!rows.length) { const tr = tbody.insertRow(); const td = tr.insertCell(); td.className = 'muted'; td.textContent = 'none'; return; }
    for (const [name, t] of rows.sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      const tr = tbody.insertRow();
      const a = tr.insertCell(); a.className = 'mono'; a.textContent = name;
      const b = tr.insertCell(); b.className = 'num'; b.textContent = pct(t / total);
    }
  };
  // Sandwich: every frame of the selected function (outermost ones only, so recursion counts once), who called
  // it and what it called, as shares of all samples.
  const select = (f) => {
    selected = f;
    if (!f) { sandwich.hidden = true; return; }
    detail.textContent = f.title.textContent;
    if (f.d === 0) { sandwich.hidden = true; return; }
    const all = view.frames[0].t;
    const mine = view.frames.filter((x) => x.f === f.f);
    const inMine = (x) => { for (let p = view.byIndex.get(x.p); p; p = view.byIndex.get(p.p)) if (p.f === f.f) return true; return false; };
    const outer = mine.filter((x) => !inMine(x));
    const callers = new Map();
    const callees = new Map();
    let total = 0;
    for (const x of outer) {
      total += x.t;
      const parent = view.byIndex.get(x.p);
      const name = parent && parent.d > 0 ? parent.n : '(thread root)';
      callers.set(name, (callers.get(name) || 0) + x.t);
    }
    for (const x of mine) for (const c of view.frames) if (c.p === x.i && c.f !== f.f) callees.set(c.n, (callees.get(c.n) || 0) + c.t);
    document.getElementById('sw-name').textContent = f.n + ' \\u2014 ' + pct(total / all) + ' of samples';
    fill(document.getElementById('sw-callers'), Array.from(callers), all);
    fill(document.getElementById('sw-callees'), Array.from(callees), all);
    sandwich.hidden = false;
  };
  const frameOf = (event) => { const g = event.target.closest('g.fr'); return g ? view.frames.find((x) => x.g === g) : null; };
  svg.addEventListener('click', (event) => {
    const f = frameOf(event);
    if (!f) return;
    zoom = f === zoom ? view.frames[0] : f;
    select(f);
    draw();
    writeHash();
  });
  svg.addEventListener('mouseover', (event) => { const f = frameOf(event); if (f) detail.textContent = f.title.textContent; });
  reset.addEventListener('click', () => { zoom = view.frames[0]; draw(); writeHash(); });
  const setView = (name) => {
    if (!views[name]) return;
    view.layer.style.display = 'none';
    view = views[name];
    view.layer.style.display = '';
    zoom = view.frames[0];
    select(null);
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.view === name));
    draw();
    search();
  };
  for (const b of buttons) b.addEventListener('click', () => setView(b.dataset.view));
  // Keyboard on the graph: arrows move the selection (up: caller, down: widest callee, left/right: siblings),
  // Enter zooms into it. Anywhere: '/' focuses the search; Escape clears the search, then the zoom.
  const children = (f) => view.frames.filter((c) => c.p === f.i && c.g.style.display !== 'none');
  svg.addEventListener('keydown', (event) => {
    let f = selected || zoom;
    if (event.key === 'ArrowUp') f = view.byIndex.get(f.p) || f;
    else if (event.key === 'ArrowDown') f = children(f).sort((a, b) => b.w - a.w)[0] || f;
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const parent = view.byIndex.get(f.p);
      const sib = parent ? children(parent) : [f];
      const k = sib.indexOf(f) + (event.key === 'ArrowLeft' ? -1 : 1);
      if (k >= 0 && k < sib.length) f = sib[k];
    } else if (event.key === 'Enter') { zoom = f; draw(); writeHash(); return; }
    else return;
    event.preventDefault();
    select(f);
    draw();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input) { event.preventDefault(); input.focus(); input.select(); }
    else if (event.key === 'Escape') {
      if (input.value) { input.value = ''; search(); }
      else { zoom = view.frames[0]; draw(); writeHash(); }
    }
  });
  input.addEventListener('input', search);
  for (const row of document.querySelectorAll('[data-search]')) {
    const go = (event) => {
      event.preventDefault();
      input.value = row.dataset.search;
      search();
      document.getElementById('flame').scrollIntoView({ block: 'start' });
    };
    row.addEventListener('click', go);
  }
  let pending = 0;
  window.addEventListener('resize', () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(draw); });
  // State from the hash: #flame?view=app&zoom=12&q=hash
  if (location.hash.startsWith('#flame?')) {
    const params = new URLSearchParams(location.hash.slice(7));
    if (params.get('view')) setView(params.get('view'));
    const z = view.byIndex.get(Number(params.get('zoom')));
    if (z) { zoom = z; select(z); }
    if (params.get('q')) input.value = params.get('q');
    draw();
    search();
    document.getElementById('flame').scrollIntoView({ block: 'start' });
  } else draw();
})();`;
