import { escapeHtml } from './escape.js';
/** The report's stylesheet: system fonts only (no downloads), light and dark from the reader's setting. */
export const reportCss = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --fg: #1b1f24; --muted: #5b6572; --line: #e3e6ea; --soft: #f0f2f5;
  --accent: #2f6fdf; --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #c6262e; --fail-bg: #ffebe9;
  --warn: #8a6100; --warn-bg: #fff6d6; --bar: #e8743b; --ci: #1b1f24; --hit: #b545d6;
  --rps: #8db3f0; --p50: #1f8a70; --p99: #d9480f; --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.08);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --panel: #171b22; --fg: #e6e9ee; --muted: #9aa4b2; --line: #2a313c; --soft: #1e242d;
    --accent: #7aa7ff; --pass: #3fb950; --pass-bg: #12301c; --fail: #ff6b6b; --fail-bg: #3a1416;
    --warn: #e3b341; --warn-bg: #2e2610; --bar: #f0884f; --ci: #e6e9ee; --hit: #d77cf0;
    --rps: #3d5f99; --p50: #48c9a9; --p99: #ff8a50; --shadow: none;
  }
}
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; }
.wrap, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 28px; }
.mono, code, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
.muted { color: var(--muted); }
.strong { font-weight: 600; }
header.top { background: var(--panel); border-bottom: 1px solid var(--line); padding: 26px 0 0; margin-bottom: 28px; box-shadow: var(--shadow); }
header.top.is-pass { border-top: 5px solid var(--pass); } header.top.is-fail { border-top: 5px solid var(--fail); }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 30px; line-height: 1.2; margin: 4px 0 4px; letter-spacing: -.01em; display: flex; align-items: center; gap: 14px; flex-wrap: wrap; word-break: break-word; }
.sub { color: var(--muted); margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 18px; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); font-weight: 600; }
.card .value { font-size: 22px; font-weight: 650; margin-top: 2px; overflow-wrap: anywhere; }
.card.wide { grid-column: span 2; }
.card .value .mono { font-size: 18px; }
.card .value small { font-size: 13px; color: var(--muted); font-weight: 500; }
.card .note-line { font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
nav { display: flex; gap: 4px; flex-wrap: wrap; }
nav a { padding: 9px 12px; color: var(--muted); font-weight: 550; font-size: 14px; border-bottom: 2px solid transparent; }
nav a:hover { color: var(--fg); border-bottom-color: var(--accent); text-decoration: none; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 6px 22px 18px; margin-bottom: 22px; box-shadow: var(--shadow); }
h2 { font-size: 19px; margin: 16px 0 8px; letter-spacing: -.005em; }
h2 small { font-size: 13px; color: var(--muted); font-weight: 500; margin-left: 6px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p { margin: 6px 0 12px; max-width: 95ch; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { padding: 7px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; border-bottom-width: 2px; }
tbody tr:last-child td { border-bottom: 0; }
.grid-table th { width: 190px; color: var(--muted); font-weight: 550; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.num-inline { font-variant-numeric: tabular-nums; }
.worse { color: var(--fail); font-weight: 600; } .better { color: var(--pass); font-weight: 600; }
.badge { display: inline-block; white-space: nowrap; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; }
.badge.big { font-size: 15px; padding: 3px 14px; }
.badge.pass { background: var(--pass-bg); color: var(--pass); } .badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.dim { opacity: .75; outline: 1px dashed currentColor; } .badge.neutral { background: var(--soft); color: var(--muted); }
.verdicts tr.bad td { background: color-mix(in srgb, var(--fail-bg) 45%, transparent); }
.note { border-radius: 8px; padding: 10px 14px; margin: 0 0 14px; border: 1px solid; }
.note.warn { background: var(--warn-bg); border-color: color-mix(in srgb, var(--warn) 40%, transparent); color: var(--fg); }
.note.danger { background: var(--fail-bg); border-color: color-mix(in srgb, var(--fail) 45%, transparent); }
.pre { white-space: pre-wrap; }
p b.mono { overflow-wrap: anywhere; }
pre.code { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 4px 0; white-space: pre-wrap; word-break: break-word; }
td.mono, td .mono { word-break: break-word; }
details { margin: 6px 0; } summary { cursor: pointer; }
.chip { display: inline-block; padding: 0 8px; border-radius: 6px; background: var(--soft); border: 1px solid var(--line); font-size: 12.5px; font-family: ui-monospace, monospace; }
.chip.hot { background: color-mix(in srgb, var(--bar) 22%, transparent); border-color: var(--bar); }
/* flame graph */
.flame-tools { display: flex; gap: 10px; align-items: center; margin: 6px 0 10px; flex-wrap: wrap; }
#flame-search { flex: 1 1 360px; max-width: 520px; padding: 8px 12px; border-radius: 8px; border: 1px solid var(--line); background: var(--soft); color: var(--fg); font: inherit; }
#flame-search:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
button { font: inherit; padding: 7px 14px; border-radius: 8px; border: 1px solid var(--line); background: var(--soft); color: var(--fg); cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
#flame-status { font-weight: 600; color: var(--hit); }
#flame-svg { display: block; width: 100%; border-radius: 6px; }
#flame-svg g.fr { cursor: pointer; }
#flame-svg text { font: 11.5px ui-monospace, "DejaVu Sans Mono", monospace; fill: #1b1f24; pointer-events: none; }
.k-app rect, .sw.k-app { fill: #f2a65a; background: #f2a65a; } .k-lib rect, .sw.k-lib { fill: #7cc48f; background: #7cc48f; }
.k-std rect, .sw.k-std { fill: #9fb7d9; background: #9fb7d9; } .k-native rect, .sw.k-native { fill: #c3a5e0; background: #c3a5e0; }
.k-meta rect, .sw.k-meta { fill: #c9c4bd; background: #c9c4bd; }
#flame-svg g.sel rect { stroke: var(--fg); stroke-width: 2; }
#flame-svg:focus { outline: 2px solid var(--accent); outline-offset: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; color: var(--muted); margin: 0 0 8px; }
.sw { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; vertical-align: -1px; }
.seg { display: inline-flex; flex-wrap: wrap; } .seg button { border-radius: 0; margin-left: -1px; } .seg button:first-child { border-radius: 8px 0 0 8px; } .seg button:last-child { border-radius: 0 8px 8px 0; }
.seg button[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
.crumbs { display: flex; flex-wrap: wrap; gap: 2px; margin: 0 0 6px; font-size: 12.5px; }
.crumbs button { padding: 2px 8px; font-size: 12.5px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
.crumbs button + button::before { content: "› "; color: var(--muted); }
.crumbs button[aria-current] { border-color: var(--accent); }
.sandwich h4 { margin: 6px 0 2px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.sw-cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px 20px; }
.sw-cols td.mono { word-break: break-all; }
.warnings summary { font-weight: 600; } .warnings ul { margin: 6px 0 0; padding-left: 20px; }
.hot-list { margin: 4px 0 0; padding-left: 20px; font-size: 13px; } .hot-list li { word-break: break-all; }
.hot-list a { font-family: ui-monospace, monospace; }
.side { display: grid; grid-template-columns: auto auto auto; gap: 0 10px; font-size: 13px; font-variant-numeric: tabular-nums; }
.side b { font-weight: 650; }
.scroll { overflow-x: auto; max-width: 100%; }
#flame-svg rect { stroke: var(--panel); stroke-width: .5; }
#flame-svg g.fr:hover rect { stroke: var(--fg); stroke-width: 1.2; }
#flame-svg g.above rect { opacity: .55; }
#flame-svg.searching g.fr:not(.hit) rect { opacity: .45; }
#flame-svg g.hit rect { fill: var(--hit); opacity: 1; }
#flame-svg g.hit text { fill: #fff; }
.flame-detail { margin-top: 8px; padding: 8px 12px; background: var(--soft); border-radius: 8px; color: var(--muted); min-height: 2.2em; word-break: break-word; }
/* hotspots */
tr.clickable { cursor: pointer; } tr.clickable:hover td { background: var(--soft); }
.bar-col { width: 300px; }
.track { position: relative; height: 12px; background: var(--soft); border-radius: 6px; border: 1px solid var(--line); margin-top: 5px; }
.track .fill { position: absolute; left: 0; top: 0; bottom: 0; background: var(--bar); border-radius: 6px; }
.track .ci { position: absolute; top: -3px; bottom: -3px; border-left: 2px solid var(--ci); border-right: 2px solid var(--ci); opacity: .75; }
.ci-text { font-size: 11.5px; color: var(--muted); font-variant-numeric: tabular-nums; margin-top: 2px; }
/* load chart */
figure.chart { margin: 6px 0 12px; }
figure.chart svg { display: block; width: 100%; height: auto; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 14px; font-variant-numeric: tabular-nums; }
.chart .axis-title { fill: var(--fg); font-size: 15px; font-weight: 600; }
.chart rect.phase { fill: var(--soft); } .chart line.zero { stroke: var(--muted); stroke-dasharray: 4 4; }
.chart rect.rps.unprof { fill: var(--muted); opacity: .5; } .chart rect.hist { fill: var(--rps); }
.chart line.mark { stroke: var(--p99); stroke-dasharray: 5 3; } .chart line.mark.p50 { stroke: var(--p50); }
.chart rect.rps { fill: var(--rps); } .chart rect.rps.bad { fill: var(--fail); } .chart rect.rps:hover { opacity: .8; }
.chart path { fill: none; stroke-width: 2.5; stroke-linejoin: round; }
.chart path.p50 { stroke: var(--p50); } .chart path.p99 { stroke: var(--p99); }
figcaption { font-size: 13px; color: var(--muted); display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.key { display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin-left: 8px; }
.key.rps { background: var(--rps); } .key.p50 { background: var(--p50); height: 3px; } .key.p99 { background: var(--p99); height: 3px; }
.trends { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 10px 20px; margin-bottom: 8px; }
.trend .label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
.trend .label b { color: var(--fg); text-transform: none; font-size: 14px; }
.trend svg { display: block; width: 100%; height: auto; background: var(--soft); border-radius: 6px; }
.trend path { fill: none; stroke: var(--accent); stroke-width: 2; } .trend circle { fill: var(--accent); }
.trend circle.worse { fill: var(--fail); } .trend circle.nc { fill: var(--panel); stroke: var(--muted); stroke-width: 2; }
.small { font-size: 12px; } table.runs td { overflow-wrap: break-word; } table.runs td.mono { word-break: normal; overflow-wrap: anywhere; min-width: 14ch; } table.runs ul { margin: 4px 0; padding-left: 16px; font-size: 12.5px; }
th[data-sort] { cursor: pointer; } th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
ul.files { columns: 2; padding-left: 18px; } ul.files li { margin: 2px 0; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 40px; }
@media (max-width: 720px) { .bar-col { width: 110px; } ul.files { columns: 1; } .wrap, main, footer { padding: 0 10px; }
  section { padding: 4px 12px 14px; } .card.wide { grid-column: auto; } .cards { grid-template-columns: 1fr; }
  th, td { padding: 6px 6px; } .grid-table th { width: 96px; } .hide-narrow { display: none; }
  table, tbody, td { overflow-wrap: anywhere; }
  table.runs thead { display: none; } table.runs tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.runs td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  table.runs td { display: block; border: 0; padding: 2px 4px; text-align: left; white-space: normal; }
  table.hotspots .hide-narrow, table.hotspots th:nth-child(3), table.hotspots td:nth-child(3), table.hotspots th:nth-child(7), table.hotspots td:nth-child(7) { display: none; } td.mono, td .mono { word-break: break-all; } h1 { font-size: 24px; } }
`;

/**
 * The opening of every page holistic writes, up to <body>: UTF-8, the page's Content-Security-Policy (each page
 * allows only what it needs), light and dark, the shared style. `title` is escaped here.
 */
export function pageHead(title: string, contentSecurityPolicy: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<style>${reportCss}</style>
</head>`;
}
