/**
 * End to end on the container target: the real distroless bad-app image and the debug-tools image in podman,
 * the debug container joined with --pid=container:<app> and SYS_PTRACE only, through the CLI.
 * Needs a container engine and the images (hack/images/build); skipped without an engine except in CI.
 */
import { execa } from 'execa';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { detectEngine, type Engine } from '../../harness/targets/engine.js';
import { fixtures, holistic, interruptWhen, readSummary, runFolder, test, leftovers as leftoversOn } from '../helpers.js';

const engine: Engine | undefined = await detectEngine().catch(() => undefined);
const required = process.env.CI === 'true';
if (!engine && required) throw new Error('CI: no container engine is usable for the container-target tests');

/** What this run left on the container target (by its label). */
const leftovers = (runId: string) => leftoversOn('container', runId);

/**
 * iptables rules a run left: any rule naming its port; and, when no other container exists on this machine,
 * any NETAVARK chain at all (the shared ones port publishing creates).
 */
async function natRulesFor(port: string): Promise<string[]> {
  const rules = String((await execa('iptables-save', [], { reject: false })).stdout).split('\n');
  // On podman with no container left, none of netavark's rules may be left either (docker's runs make none: what
  // netavark rules a docker run sees belong to podman's earlier users of the machine, not to this run).
  const others = engine!.name === 'podman' ? (await engine!.run(['ps', '--all', '--quiet'])).stdout.trim() : 'docker';
  return rules.filter((l) => l.includes(`--dport ${port} `) || l.includes(`:${port}`) || (!others && /netavark/i.test(l)));
}

describe.skipIf(!engine)(`container target (${engine?.version ?? 'no engine'})`, () => {
  test('cpu-hotspot passes with the same verdicts as local, SYS_PTRACE only, and leaves nothing', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'container', '--duration', '5', '--out', out], { timeoutMs: 50 * 60_000 });
    expect(r.exitCode, r.all).toBe(0);
    const summary = await readSummary(await runFolder(out));
    expect(summary).toMatchObject({ target: 'container', verdict: 'pass' });
    expect(summary.hotspots[0]).toMatchObject({ name: 'hash_password', file: 'badapp/hashing.py' });
    expect(summary.hotspots[0]!.self).toBeGreaterThanOrEqual(0.8);
    // Read back from the engine: added capabilities, not privileged.
    expect(summary.debugContainer).toMatchObject({ image: 'localhost/debug-tools:latest', capabilities: ['SYS_PTRACE'], privileged: false });
    expect(summary.debugContainer!.target).toMatch(/^holistic-bad-app-[0-9a-f]{6}$/);
    expect(summary.environment.engine).toMatch(/^(podman|docker) version/i);
    // HOLISTIC_ENGINE (hack/kind/ci sets docker) reaches the run: the engine it used is the one asked for.
    if (process.env.HOLISTIC_ENGINE) expect(String(summary.environment.engine).toLowerCase()).toMatch(new RegExp(`^${process.env.HOLISTIC_ENGINE} version`));
    expect(summary.environment['app image']).toMatch(/^localhost\/badapp:latest [0-9a-f]{12}$/);
    expect(summary.environment['debug effective capabilities'] ?? 'CAP_SYS_PTRACE').toContain('CAP_SYS_PTRACE');
    expect(summary.threads!.some((t) => !t.idle && t.frames[0]!.startsWith('hash_password'))).toBe(true);
    // The app is the zipapp on distroless python, PID 1 of its container.
    expect(await leftovers(summary.runId)).toEqual([]);
    const port = new URL(summary.app.url).port;
    expect(await natRulesFor(port)).toEqual([]);
  });

  test('the app image has no shell: exec sh into it fails', async () => {
    const name = `holistic-noshell-${process.pid}`;
    await engine!.run(['run', '--detach', '--name', name, 'localhost/badapp:latest']);
    try {
      const r = await engine!.run(['exec', name, 'sh', '-c', 'echo hi'], { reject: false });
      expect(r.exitCode).not.toBe(0);
      // docker 20.10 prints the OCI runtime's exec error on stdout, podman on stderr.
      expect(`${r.stderr}\n${r.stdout}`).toMatch(/executable file not found|no such file or directory/i);
      const py = await engine!.run(['exec', name, '/usr/bin/python3.11', '-c', 'import shutil; print(shutil.which("sh"), shutil.which("bash"), shutil.which("apt-get"))'], { reject: false });
      expect(py.stdout.trim()).toBe('None None None');
    } finally {
      await engine!.run(['rm', '--force', '--time', '0', name], { reject: false });
    }
  });

  test('a debug container without SYS_PTRACE cannot attach: exit 3 naming the capability', async ({ out }) => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'no-ptrace.ts'), '--target', 'container', '--out', out]);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/py-spy is not permitted to attach to pid 1: it needs the SYS_PTRACE capability \(session capabilities: none\)/);
    expect(r.stderr).toContain('--cap-add=SYS_PTRACE');
    const summary = await readSummary(await runFolder(out));
    expect(await leftovers(summary.runId)).toEqual([]);
  });

  test('an app container that exits at start: exit 3 with its logs', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'container', '--out', out, '--app-env', 'BADAPP_BCRYPT_ROUNDS=banana']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/bad-app did not start in container holistic-bad-app-[0-9a-f]+: the app exited before it became healthy/);
    expect(r.stderr).toContain("badapp: BADAPP_BCRYPT_ROUNDS='banana' is not an integer");
    expect(await leftovers((await readSummary(await runFolder(out))).runId)).toEqual([]);
  });

  test('a missing debug image: exit 3 saying how to get it, nothing started', async ({ out }) => {
    const r = await holistic(['run', 'cpu-hotspot', '--target', 'container', '--out', out, '--tools-image', 'localhost/holistic-no-such-image:1']);
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/image localhost\/holistic-no-such-image:1 is not in (podman|docker)'s storage/);
  });

  test('SIGINT while py-spy records: exit 130, no container left', async ({ out }) => {
    const child = holistic(['run', 'cpu-hotspot', '--target', 'container', '--duration', '60', '--out', out]);
    const r = await interruptWhen(child, 'py-spy record', 2000);
    expect(r.exitCode, r.all).toBe(130);
    const summary = await readSummary(await runFolder(out));
    expect(summary.interrupted).toBe(true);
    expect(await leftovers(summary.runId)).toEqual([]);
    expect(await natRulesFor(new URL(summary.app.url).port)).toEqual([]);
  });
});
