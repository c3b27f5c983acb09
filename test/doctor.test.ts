/** `holistic doctor` through the real CLI: each target's prerequisites checked on this machine, fixes, exit codes. */
import { describe, expect, test } from 'vitest';
import { holistic } from './helpers.js';

const kubeconfig = process.env.HOLISTIC_KUBECONFIG;

describe('holistic doctor', () => {
  test('--target local: every prerequisite named, usable here, exit 0', async () => {
    const r = await holistic(['doctor', '--target', 'local']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^local target: usable$/m);
    for (const name of ['python3', 'python3 venv \\+ ensurepip', 'py-spy', 'ptrace permission \\(py-spy attach\\)']) {
      expect(r.stdout).toMatch(new RegExp(`^  (ok  |note) ${name}`, 'm'));
    }
    expect(r.stdout).not.toMatch(/container target/);
  });

  test('a missing kubeconfig: the kube target is not usable, the fix is printed, exit 3', async () => {
    const r = await holistic(['doctor', '--target', 'kube', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stdout).toMatch(/^kube target: NOT usable$/m);
    expect(r.stdout).toMatch(/^  MISS kubeconfig +cannot read the kubeconfig \/nonexistent\/kubeconfig/m);
    expect(r.stdout).toMatch(/^ +fix: set KUBECONFIG or pass --kubeconfig/m);
  });

  test.skipIf(!kubeconfig)('the test cluster: reachable, usable, exit 0', async () => {
    const r = await holistic(['doctor', '--target', 'kube', '--kubeconfig', kubeconfig!]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/^  ok   cluster reachable +Kubernetes v\d/m);
  });

  test('all targets at once: exit 0 when any is usable; an unknown target is a usage error', async () => {
    const all = await holistic(['doctor', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(all.exitCode, all.all).toBe(0);
    expect(all.stdout).toMatch(/^local target: usable$/m);
    expect(all.stdout).toMatch(/^kube target: NOT usable$/m);
    expect((await holistic(['doctor', '--target', 'mars'])).exitCode).toBe(2);
  });
});
