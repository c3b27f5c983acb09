/**
 * Killed runs, counted: N runs per target, each killed at a random phase (deploy, attach, profile) and a random
 * offset, by SIGKILL or by a force quit (SIGINT twice); then `holistic down`. Counts what was left right after
 * the kill (what only the owner-based cleanup can remove) and after `down` (must be 0: a leak).
 */
import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectEngine } from '../harness/targets/engine.js';
import { leftovers, processesWithEnv, type E2eTarget } from '../test/leftovers.js';
import { projectRoot } from '../harness/paths.js';

const cli = path.join(projectRoot, 'bin', 'holistic.js');

const markers: Record<E2eTarget, string[]> = {
  local: ['starting bad-app', 'debug session:', 'py-spy record'],
  container: ['starting bad-app as container', 'debug container ', 'py-spy record'],
  kube: ['pod holistic-', 'ephemeral container ', 'py-spy record'],
};

async function leftOf(target: E2eTarget, runId: string, tmp: string): Promise<string[]> {
  const scratch = (await readdir(tmp)).filter((n) => !/^tsx-\d+$/.test(n));
  return [...(await leftovers(target, runId)), ...(await processesWithEnv('HOLISTIC_RUN', runId)), ...scratch];
}

async function killOnce(target: E2eTarget, env: Record<string, string>, out: string): Promise<{ runId: string; how: string }> {
  const marker = markers[target][Math.floor(Math.random() * 3)]!;
  const how = Math.random() < 0.5 ? 'SIGKILL' : 'force quit';
  const child = execa(process.execPath, [cli, 'run', 'cpu-hotspot', '--target', target, '--duration', '30', '--out', out], { env, reject: false, all: true });
  let stderr = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 180_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      const seen = stderr.includes(marker);
      stderr += chunk.toString();
      if (!seen && stderr.includes(marker)) {
        clearTimeout(timer);
        setTimeout(resolve, Math.random() * 800);
      }
    });
  });
  if (how === 'SIGKILL') child.kill('SIGKILL');
  else {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGINT'), 300);
  }
  await child;
  const runs = (await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory());
  return { runId: runs[0]?.name ?? '?', how: `${how} after "${marker}"` };
}

export async function killsBench(runsPerTarget: number, only?: readonly string[]): Promise<void> {
  const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
  const available: E2eTarget[] = ['local', ...((await detectEngine().catch(() => undefined)) ? ['container' as const] : []), ...(kubeconfig ? ['kube' as const] : [])];
  const targets = only?.length ? available.filter((t) => only.includes(t)) : available;
  console.log(`\n## Killed runs: ${runsPerTarget} per target (${targets.join(', ')}), SIGKILL or force quit at a random phase, then holistic down`);
  console.log('target     runs  left right after the kill  leaks after down  seconds');
  for (const target of targets) {
    let leftAfterKill = 0;
    let leaks = 0;
    const t0 = performance.now();
    for (let i = 0; i < runsPerTarget; i++) {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'holistic-tmpdir-'));
      const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-bench-out-'));
      const env = { TMPDIR: tmp, KIND_CLUSTER: 'holistic-bench-none', ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) };
      const { runId, how } = await killOnce(target, env, out);
      if ((await leftOf(target, runId, tmp)).length > 0) leftAfterKill++;
      await execa(process.execPath, [cli, 'down'], { env, reject: false });
      const left = await leftOf(target, runId, tmp);
      if (left.length > 0) {
        leaks++;
        console.log(`  LEAK ${target} ${how}: ${left.join(', ')}`);
      }
      await rm(tmp, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
    }
    console.log(`${target.padEnd(9)}  ${String(runsPerTarget).padStart(4)}  ${String(leftAfterKill).padStart(25)}  ${String(leaks).padStart(16)}  ${((performance.now() - t0) / 1000).toFixed(0).padStart(7)}`);
  }
}
