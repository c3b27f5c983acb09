import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { projectRoot } from '../../harness/paths.js';
import { clusterFromEnv, downProviders, parseClusterList, planCluster } from '../../harness/targets/kind.js';

const config = path.join(projectRoot, 'kind-config.yaml');

describe('kind/k3d cluster plan (the commands a run issues)', () => {
  test('kind, cluster missing: create from kind-config.yaml, load both images, context kind-<name>', () => {
    expect(planCluster({ provider: 'kind', name: 'kind' }, false, ['localhost/badapp:latest', 'localhost/debug-tools:latest'])).toEqual({
      create: ['kind', 'create', 'cluster', '--name', 'kind', '--config', config, '--wait', '120s'],
      load: [
        ['kind', 'load', 'docker-image', 'localhost/badapp:latest', '--name', 'kind'],
        ['kind', 'load', 'docker-image', 'localhost/debug-tools:latest', '--name', 'kind'],
      ],
      context: 'kind-kind',
      delete: ['kind', 'delete', 'cluster', '--name', 'kind'],
      env: {},
    });
  });

  test('kind on docker: kind is told its provider, images loaded straight from docker', () => {
    const plan = planCluster({ provider: 'kind', name: 'ci' }, true, ['localhost/badapp:latest'], { engine: 'docker' });
    expect(plan.env).toEqual({ KIND_EXPERIMENTAL_PROVIDER: 'docker' });
    expect(plan.load).toEqual([['kind', 'load', 'docker-image', 'localhost/badapp:latest', '--name', 'ci']]);
  });

  test('kind on podman: provider podman with the project containers.conf, each image through podman save + kind load image-archive', () => {
    const plan = planCluster({ provider: 'kind', name: 'ci' }, false, ['localhost/badapp:latest', 'localhost/debug-tools:latest'], {
      engine: 'podman', archiveDir: '/tmp/x', nodeImage: 'localhost/kindest/node:v1.34.4',
    });
    expect(plan.create).toEqual(['kind', 'create', 'cluster', '--name', 'ci', '--config', config, '--image', 'localhost/kindest/node:v1.34.4', '--wait', '120s']);
    expect(plan.env).toEqual({ KIND_EXPERIMENTAL_PROVIDER: 'podman', CONTAINERS_CONF: expect.stringMatching(/hack\/containers\.conf$/) });
    expect(plan.load).toEqual([
      ['podman', 'save', '--format', 'docker-archive', '-o', '/tmp/x/0-localhost_badapp_latest.tar', 'localhost/badapp:latest'],
      ['kind', 'load', 'image-archive', '/tmp/x/0-localhost_badapp_latest.tar', '--name', 'ci'],
      ['podman', 'save', '--format', 'docker-archive', '-o', '/tmp/x/1-localhost_debug-tools_latest.tar', 'localhost/debug-tools:latest'],
      ['kind', 'load', 'image-archive', '/tmp/x/1-localhost_debug-tools_latest.tar', '--name', 'ci'],
    ]);
  });

  test('kind, cluster present: reused, nothing created', () => {
    expect(planCluster({ provider: 'kind', name: 'ci' }, true, ['a:1']).create).toBeUndefined();
  });

  test('k3d: image import and context k3d-<name>', () => {
    const plan = planCluster({ provider: 'k3d', name: 'dev' }, false, ['a:1']);
    expect(plan).toMatchObject({
      create: ['k3d', 'cluster', 'create', 'dev', '--wait'],
      load: [['k3d', 'image', 'import', 'a:1', '--cluster', 'dev']],
      context: 'k3d-dev',
      delete: ['k3d', 'cluster', 'delete', 'dev'],
      env: {},
    });
  });

  test('cluster names from the environment, as app/Makefile reads them', () => {
    expect(clusterFromEnv({})).toEqual({ provider: 'kind', name: 'kind' });
    expect(clusterFromEnv({ KIND_CLUSTER: 'ci' })).toEqual({ provider: 'kind', name: 'ci' });
    expect(clusterFromEnv({ KIND_CLUSTER: 'ci', K3D_CLUSTER: 'dev' })).toEqual({ provider: 'k3d', name: 'dev' });
  });

  test('holistic down asks docker, and podman as root or when the user chose it (rootless podman leaves a pause process)', () => {
    expect(downProviders({}, true)).toEqual(['podman', 'docker']);
    expect(downProviders({}, false)).toEqual(['docker']);
    expect(downProviders({ HOLISTIC_ENGINE: 'podman' }, false)).toEqual(['podman', 'docker']);
    expect(downProviders({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }, false)).toEqual(['podman', 'docker']);
  });

  test('cluster lists', () => {
    expect(parseClusterList('kind', 'kind\nci\n')).toEqual(['kind', 'ci']);
    expect(parseClusterList('kind', 'No kind clusters found.\n')).toEqual([]);
    expect(parseClusterList('k3d', 'dev   1/1   0/0   true\n')).toEqual(['dev']);
  });
});
