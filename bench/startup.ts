/**
 * How fast the command answers, as a user installs it: `npm pack`, installed into a fresh project, then
 * `holistic --help` and `holistic list` timed (median of N), next to the same commands from this checkout (the
 * TypeScript through tsx) as a ratio taken in the same run. Target: 0.5 s for the installed package.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../harness/paths.js';

async function timeIt(argv: string[], cwd: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await execa(process.execPath, argv, { cwd, reject: false });
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b);
}

export async function startupBench(n: number): Promise<void> {
  console.log(`\n## CLI start time: installed package vs this checkout, median of ${n}`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'holistic-startup-'));
  try {
    await execa('npm', ['pack', '--pack-destination', work], { cwd: projectRoot });
    const tarball = path.join(work, (await readdir(work)).find((f) => f.endsWith('.tgz'))!);
    const project = path.join(work, 'project');
    await mkdir(project);
    await writeFile(path.join(project, 'package.json'), '{"name":"p","private":true}');
    await execa('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project });
    const installed = path.join(project, 'node_modules', 'holistic', 'bin', 'holistic.js');
    const checkout = path.join(projectRoot, 'bin', 'holistic.js');
    const baseline = await timeIt(['-e', '0'], project, n);
    console.log('command          installed_s  checkout_s  checkout/installed   (node -e 0: ' + baseline[Math.floor(n / 2)]!.toFixed(3) + ' s)');
    for (const args of [['--help'], ['list']]) {
      const a = await timeIt([installed, ...args], project, n);
      const b = await timeIt([checkout, ...args], projectRoot, n);
      const ma = a[Math.floor(n / 2)]!;
      const mb = b[Math.floor(n / 2)]!;
      console.log(`${`holistic ${args.join(' ')}`.padEnd(16)} ${ma.toFixed(3).padStart(11)}  ${mb.toFixed(3).padStart(10)}  ${`x${(mb / ma).toFixed(2)}`.padStart(18)}   ${ma <= 0.5 ? 'within' : 'OVER'} the 0.5 s target`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
