/** Scenario and app descriptions are checked before anything starts: a bad field is exit 2 naming it and the file. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defineApp } from '../harness/app.js';
import { appRunFlags, engineMemory } from '../harness/targets/container-ops.js';
import { appPodManifest } from '../harness/targets/kube/pod.js';
import { checkScenario } from '../harness/spec-schema.js';
import cpuHotspot from '../scenarios/cpu-hotspot.js';
import { fixtures, holistic } from './helpers.js';

describe('bad scenario files through the CLI', () => {
  test('an unknown load generator: exit 2 naming load.generator and the file; nothing started, no run folder', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'holistic-schema-'));
    const file = path.join(fixtures, 'scenarios', 'bad-generator.ts');
    const r = await holistic(['run', file, '--target', 'local', '--out', out]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain(`${file} is not a valid scenario:`);
    expect(r.stderr).toMatch(/load\.generator: Invalid option: expected one of "autocannon"\|"k6"\|"locust"/);
    expect(r.stderr).not.toMatch(/starting|target:/);
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
    await rm(out, { recursive: true, force: true });
  });

  test('a misspelt app field and bad values: each named', async () => {
    const r = await holistic(['run', path.join(fixtures, 'scenarios', 'bad-app-fields.ts'), '--target', 'local']);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/^ {2}app: Unrecognized key: "imag"$/m);
    expect(r.stderr).toMatch(/^ {2}app\.container\.user: uid or uid:gid, numeric$/m);
    expect(r.stderr).toMatch(/^ {2}app\.container\.resources\.limits\.cpu: a Kubernetes quantity/m);
  });
});

describe('checkScenario', () => {
  test('the built-in scenarios are valid; a crash scenario is checked as one', () => {
    expect(() => checkScenario(cpuHotspot, 'cpu-hotspot')).not.toThrow();
    expect(() => checkScenario({ ...cpuHotspot, run: undefined, startup: 'crash', investigate: 'no' }, 'x')).toThrow(/investigate: a function/);
  });
});

describe('the app\'s container settings on each engine and in a pod', () => {
  const app = defineApp({
    name: 'svc', port: 8080, healthPath: '/h', loadPath: '/', env: {}, image: 'localhost/svc:1',
    container: { command: ['python3', '-m', 'svc'], args: ['--fast'], workingDir: '/srv', user: '1000:1000', readOnlyRootFilesystem: true, resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } } },
  });

  test('engine flags: entrypoint, workdir, user, read-only with a writable /tmp, limits', () => {
    expect(appRunFlags(app)).toEqual({
      flags: ['--entrypoint', '["python3","-m","svc"]', '--workdir', '/srv', '--user', '1000:1000', '--read-only', '--tmpfs', '/tmp:rw,mode=1777', '--cpus', '0.5', '--memory', String(256 * 1024 * 1024)],
      args: ['--fast'],
    });
    expect(engineMemory('1Gi')).toBe(String(1024 ** 3));
  });

  test('pod: command, args, workingDir, securityContext, resources, an emptyDir on /tmp', () => {
    const pod = appPodManifest(app, { namespace: 'ns', runId: 'r', env: {}, imagePullPolicy: 'Never' });
    expect(pod.spec!.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(pod.spec!.containers[0]).toMatchObject({
      command: ['python3', '-m', 'svc'], args: ['--fast'], workingDir: '/srv',
      securityContext: { runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true },
      resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m' } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
  });
});
