/**
 * Issue #6's numbers: for each scenario and target, the wall time of a whole CLI run and the app's throughput
 * drop while the tool was attached (the scenario's own "served while … attached" verdict compares the same
 * load just before and during the window, in the same run). Repeats each run and prints the median.
 *
 *   node --import tsx bench/beyond-cpu.ts [repeats=3] [scenario,scenario…] [target,target…]
 */
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../harness/paths.js';
import type { RunSummary } from '../harness/report/summary.js';

const repeats = Number(process.argv[2] ?? 3);
const scenarios = process.argv[3]?.split(',') ?? ['memory-leak', 'lock-contention', 'native-view', 'crash-on-start'];
const targets = process.argv[4]?.split(',') ?? ['container', 'local'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

console.log('| scenario | target | run time (median, s) | throughput drop while attached (median; each run) | verdict |');
console.log('|---|---|---|---|---|');
for (const scenario of scenarios) {
  for (const target of targets) {
    const times: number[] = [];
    const drops: number[] = [];
    const verdicts: string[] = [];
    for (let i = 0; i < repeats; i++) {
      const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-'));
      const t0 = performance.now();
      const r = await execa(process.execPath, [path.join(projectRoot, 'bin', 'holistic.js'), 'run', scenario, '--target', target, '--out', out], { reject: false, timeout: 600_000 });
      times.push((performance.now() - t0) / 1000);
      const [dir] = await readdir(out);
      const summary = JSON.parse(await readFile(path.join(out, dir!, 'summary.json'), 'utf8')) as RunSummary;
      verdicts.push(`${summary.verdict}${r.exitCode ? ` (exit ${r.exitCode})` : ''}`);
      const served = summary.verdicts.find((v) => v.name.startsWith('served while'));
      const m = served && /throughput drop (-?[\d.]+)%/.exec(served.actual);
      if (m) drops.push(Number(m[1]));
      await rm(out, { recursive: true, force: true });
    }
    const dropText = drops.length ? `${median(drops).toFixed(0)}% (${drops.map((d) => d.toFixed(0)).join(', ')})` : 'n/a (no app to load)';
    console.log(`| ${scenario} | ${target} | ${median(times).toFixed(1)} (${times.map((t) => t.toFixed(1)).join(', ')}) | ${dropText} | ${[...new Set(verdicts)].join(', ')} |`);
  }
}
