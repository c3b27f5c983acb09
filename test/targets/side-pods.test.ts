/**
 * The pods an in-cluster load generator runs in (targets/kube/side-pods.ts): the run's labels (so leftovers are
 * found and the namespace's cleanup owns them), the least privilege the restricted Pod Security level asks, the
 * locustfile mounted read-only and a writable scratch dir. Read back from the manifest the API gets.
 */
import { expect, test } from 'vitest';
import { sidePodManifest } from '../../harness/targets/kube/side-pods.js';

test('a side pod: run labels, restricted security, no token, files read-only, scratch writable, never restarted', () => {
  const pod = sidePodManifest(
    { name: 'locust-abc123-worker-1', image: 'localhost/holistic-locust:latest', args: ['-f', '/locust/locustfile.py', '--worker'], env: { HOLISTIC_LOCUST_WORKER: 'worker-1' }, mounts: [{ files: 'locust-abc123', path: '/locust' }], scratch: '/out' },
    { namespace: 'holistic-1', runId: 'run-1', imagePullPolicy: (image) => (image.startsWith('localhost/') ? 'Never' : 'IfNotPresent') },
  );
  expect(pod.metadata).toMatchObject({ name: 'locust-abc123-worker-1', namespace: 'holistic-1', labels: { 'holistic.run': 'run-1', run: 'locust-abc123-worker-1' } });
  expect(pod.metadata!.labels!['holistic.owner']).toBeTruthy();
  expect(pod.spec).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
  expect(pod.spec!.nodeName).toBeUndefined();
  expect(pod.spec!.affinity).toBeUndefined();
  const [c] = pod.spec!.containers;
  expect(c).toMatchObject({ image: 'localhost/holistic-locust:latest', imagePullPolicy: 'Never', args: ['-f', '/locust/locustfile.py', '--worker'], env: [{ name: 'HOLISTIC_LOCUST_WORKER', value: 'worker-1' }] });
  expect(c!.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(c!.volumeMounts).toEqual([{ name: 'locust-abc123', mountPath: '/locust', readOnly: true }, { name: 'scratch', mountPath: '/out' }]);
  expect(pod.spec!.volumes).toEqual([{ name: 'locust-abc123', configMap: { name: 'locust-abc123' } }, { name: 'scratch', emptyDir: {} }]);
});

test('workers of one load are spread over nodes where the scheduler can, preferred so that one node still runs them all', () => {
  const pod = sidePodManifest({ name: 'w', image: 'i', args: [], env: {}, spreadGroup: 'locust-abc123-workers' }, { namespace: 'n', runId: 'r', imagePullPolicy: () => 'IfNotPresent' });
  expect(pod.metadata!.labels!['holistic.spread']).toBe('locust-abc123-workers');
  expect(pod.spec!.affinity).toEqual({
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'holistic.spread': 'locust-abc123-workers' } } } }] },
  });
});

test('--node pins the side pods where the app was pinned', () => {
  const pod = sidePodManifest({ name: 'p', image: 'i', args: [], env: {} }, { namespace: 'n', runId: 'r', nodeName: 'node-a', imagePullPolicy: () => 'IfNotPresent' });
  expect(pod.spec!.nodeName).toBe('node-a');
  expect(pod.spec!.volumes).toEqual([]);
});
