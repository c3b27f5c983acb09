import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { projectRoot } from '../../harness/paths.js';
import { clusterFromEnv, parseClusterList, planCluster } from '../../harness/targets/kind.js';

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
    });
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
    });
  });

  test('cluster names from the environment, as app/Makefile reads them', () => {
    expect(clusterFromEnv({})).toEqual({ provider: 'kind', name: 'kind' });
    expect(clusterFromEnv({ KIND_CLUSTER: 'ci' })).toEqual({ provider: 'kind', name: 'ci' });
    expect(clusterFromEnv({ KIND_CLUSTER: 'ci', K3D_CLUSTER: 'dev' })).toEqual({ provider: 'k3d', name: 'dev' });
  });

  test('cluster lists', () => {
    expect(parseClusterList('kind', 'kind\nci\n')).toEqual(['kind', 'ci']);
    expect(parseClusterList('kind', 'No kind clusters found.\n')).toEqual([]);
    expect(parseClusterList('k3d', 'dev   1/1   0/0   true\n')).toEqual(['dev']);
  });
});
