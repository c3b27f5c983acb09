/**
 * The cluster goes away mid-run: the kube-apiserver is killed while py-spy records. The run must end with the
 * contract's code and say what happened, and its teardown must say what it could not delete and how to do it
 * by hand. The test brings the cluster back (hack/local-cluster/up, images reloaded) for whatever runs next.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { projectRoot } from '../../harness/paths.js';
import { holistic, readSummary, runFolder, test } from '../helpers.js';

const kubeconfig = process.env.HOLISTIC_KUBECONFIG;

describe.skipIf(!kubeconfig)('the cluster goes away mid-run', () => {
  test('apiserver killed while py-spy records: exit 4, the failure and what was left are named', async ({ out }) => {
    const stateDir = path.dirname(kubeconfig!);
    const child = holistic(['run', 'cpu-hotspot', '--target', 'kube', '--duration', '30', '--out', out], { env: { KUBECONFIG: kubeconfig! } });
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', async (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killed && stderr.includes('py-spy record')) {
        killed = true;
        const pid = Number(await readFile(path.join(stateDir, 'pids', 'kube-apiserver.pid'), 'utf8'));
        process.kill(pid, 'SIGKILL');
      }
    });
    try {
      const r = await child;
      expect(killed, r.all).toBe(true);
      expect(r.exitCode, r.all).toBe(4);
      expect(r.stderr).toMatch(/the kube target stopped answering during the scenario: .*the cluster is not reachable/);
      const summary = await readSummary(await runFolder(out));
      expect(summary.verdict).toBe('fail');
      expect(summary.error, r.all).toMatch(/^the kube target stopped answering during the scenario/);
      // Teardown could not reach the cluster either: it says what it could not delete.
      expect(summary.warnings.join('\n'), r.all).toMatch(/failed to delete (pod|namespace) holistic-[0-9a-f]+/);
    } finally {
      // Back to a working cluster for the tests after this one.
      await execa(path.join(projectRoot, 'hack', 'local-cluster', 'up'), [], { env: { HOLISTIC_CLUSTER_DIR: stateDir }, timeout: 300_000 });
      await execa(path.join(projectRoot, 'hack', 'local-cluster', 'load-image'), ['localhost/badapp:latest', 'localhost/debug-tools:latest'], {
        env: { HOLISTIC_CLUSTER_DIR: stateDir },
        timeout: 300_000,
      });
    }
  });
});
