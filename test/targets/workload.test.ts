import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../harness/errors.js';
import { ProfileBuilder } from '../../harness/profile/model.js';
import { podOutliers } from '../../harness/stats/outliers.js';
import { ephemeralContainerCount, findReusableDebugContainer } from '../../harness/targets/kube/reuse.js';
import { appContainerOf, checkWorkloadSelector, labelSelectorString, podChanges } from '../../harness/targets/kube/workload.js';

const pod = (extra: Partial<V1Pod['spec']> = {}, status: V1Pod['status'] = {}, annotations?: Record<string, string>): V1Pod => ({
  metadata: { name: 'web-1', namespace: 'shop', annotations },
  spec: { containers: [{ name: 'web' }, { name: 'sidecar' }], ...extra },
  status,
});

describe('naming the workload', () => {
  test('exactly one of --pod, --selector, --deployment; a malformed selector is a usage error', () => {
    expect(() => checkWorkloadSelector({})).toThrow(/--pod NAME, --selector KEY=VALUE or --deployment NAME/);
    expect(() => checkWorkloadSelector({ pod: 'a', deployment: 'b' })).toThrow(/--pod and --deployment were both given/);
    expect(() => checkWorkloadSelector({ selector: 'app' })).toThrow(UsageError);
    expect(() => checkWorkloadSelector({ selector: 'app=web,tier!=db' })).not.toThrow();
  });

  test('a Deployment\'s selector becomes a label selector string', () => {
    expect(labelSelectorString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] })).toBe(
      'app=web,tier in (a,b),!canary',
    );
  });

  test('the app container: --container, the only one, or kubectl\'s default-container annotation; else say which exist', () => {
    expect(() => appContainerOf(pod())).toThrow(/has 2 containers \(web, sidecar\): name the app's with --container NAME/);
    expect(appContainerOf(pod({}, {}, { 'kubectl.kubernetes.io/default-container': 'web' }))).toBe('web');
    expect(appContainerOf(pod(), 'sidecar')).toBe('sidecar');
    expect(() => appContainerOf(pod(), 'db')).toThrow(/no container "db" \(--container\); its containers: web, sidecar/);
  });

  test('pods replaced or restarted during a run are named', () => {
    const before = [{ name: 'a', uid: '1', restarts: 0 }, { name: 'b', uid: '2', restarts: 0 }, { name: 'c', uid: '3', restarts: 0 }];
    expect(podChanges(before, before)).toEqual([]);
    expect(podChanges(before, [{ name: 'a', uid: '9', restarts: 0 }, { name: 'b', uid: '2', restarts: 1 }])).toEqual([
      'pod a was replaced (uid 1 -> 9)',
      'pod b restarted 1 time(s) during the run',
      'pod c is gone',
    ]);
  });
});

describe('reusing holistic\'s debug container (ephemeral containers cannot be removed)', () => {
  const ours = { name: 'debugger-abc123', image: 'localhost/debug-tools:latest', targetContainerName: 'web', command: ['sleep', 'infinity'], securityContext: { capabilities: { add: ['SYS_PTRACE'] } } };
  const running = { ephemeralContainerStatuses: [{ name: 'debugger-abc123', state: { running: {} } } as never] };
  const wanted = { image: 'localhost/debug-tools:latest', target: 'web', profile: 'general' as const, imagePullPolicy: 'Never' as const };

  test('same image, target, profile and command, running: reused', () => {
    expect(findReusableDebugContainer(pod({ ephemeralContainers: [ours] }, running), wanted)).toBe('debugger-abc123');
    expect(ephemeralContainerCount(pod({ ephemeralContainers: [ours, { ...ours, name: 'debugger-x' }] }))).toBe(2);
  });

  test('another profile, image, target, someone else\'s container, or one that stopped: not reused', () => {
    const p = pod({ ephemeralContainers: [ours] }, running);
    expect(findReusableDebugContainer(p, { ...wanted, profile: 'sysadmin' })).toBeUndefined();
    expect(findReusableDebugContainer(p, { ...wanted, profile: 'baseline' })).toBeUndefined();
    expect(findReusableDebugContainer(p, { ...wanted, image: 'localhost/debug-tools:v2' })).toBeUndefined();
    expect(findReusableDebugContainer(p, { ...wanted, target: 'sidecar' })).toBeUndefined();
    expect(findReusableDebugContainer(pod({ ephemeralContainers: [{ ...ours, name: 'debugger-by-hand' }] }, running), wanted)).toBeUndefined();
    expect(findReusableDebugContainer(pod({ ephemeralContainers: [ours] }, { ephemeralContainerStatuses: [{ name: 'debugger-abc123', state: { terminated: { exitCode: 137 } } } as never] }), wanted)).toBeUndefined();
  });
});

describe('per-pod outliers', () => {
  const profile = (hot: number, other: number) => {
    const b = new ProfileBuilder('test');
    b.appendSample([{ name: 'handle', file: 'w.py' }, { name: 'hash_password', file: 'badapp/hashing.py', line: 11 }], hot);
    b.appendSample([{ name: 'handle', file: 'w.py' }, { name: 'parse', file: 'w.py', line: 3 }], other);
    return b.build();
  };

  test('replicas that agree within the interval are not flagged', () => {
    const r = podOutliers([{ pod: 'a', profile: profile(900, 100) }, { pod: 'b', profile: profile(880, 120) }, { pod: 'c', profile: profile(910, 90) }]);
    expect(r.outliers).toEqual([]);
    expect(r.frames[0]).toBe('hash_password (badapp/hashing.py)');
  });

  test('a replica whose hotspot share differs beyond the interval is flagged, for that frame', () => {
    const pods = [{ pod: 'a', profile: profile(600, 400) }, { pod: 'b', profile: profile(590, 410) }, { pod: 'slow', profile: profile(980, 20) }];
    expect(podOutliers(pods).outliers.map((o) => [o.pod, o.frame])).toEqual([['slow', 'hash_password (badapp/hashing.py)']]);
    const r = podOutliers(pods, { topFrames: 3 });
    expect(r.rows.find((x) => x.pod === 'a')!.outlier).toBe(false);
    expect(r.rows.find((x) => x.pod === 'slow' && x.frame.startsWith('hash'))!.others).toBeCloseTo(0.595, 3);
    expect(r.outliers.map((o) => [o.pod, o.frame])).toEqual([
      ['slow', 'hash_password (badapp/hashing.py)'],
      ['slow', 'parse (w.py)'],
    ]);
  });

  test('few samples: a big gap is not enough when the interval still includes the minimum difference', () => {
    const r = podOutliers([{ pod: 'a', profile: profile(6, 4) }, { pod: 'b', profile: profile(9, 1) }, { pod: 'c', profile: profile(6, 4) }]);
    expect(r.outliers).toEqual([]);
  });

  test('an idle replica (no samples in the window) neither votes nor is flagged, and its row says it was idle', () => {
    const empty = new ProfileBuilder('empty').build();
    const pods = [{ pod: 'a', profile: profile(600, 400) }, { pod: 'b', profile: profile(590, 410) }, { pod: 'slow', profile: profile(980, 20) }, { pod: 'idle', profile: empty }];
    const r = podOutliers(pods);
    expect(r.outliers.map((o) => o.pod)).toEqual(['slow']);
    expect(r.rows.find((x) => x.pod === 'idle')).toMatchObject({ samples: 0, outlier: false, frame: expect.stringMatching(/no samples/) });
    // Two busy pods and one idle: two cannot outvote each other, the idle one does not count.
    expect(podOutliers([pods[0]!, pods[2]!, pods[3]!]).outliers).toEqual([]);
  });

  test('a replica that merely got less traffic (more samples in gunicorn\'s worker wait) is not flagged', () => {
    const waiting = (hot: number, other: number, wait: number) => {
      const b = new ProfileBuilder('test');
      b.appendSample([{ name: 'handle', file: 'w.py' }, { name: 'hash_password', file: 'badapp/hashing.py', line: 11 }], hot);
      b.appendSample([{ name: 'handle', file: 'w.py' }, { name: 'parse', file: 'w.py', line: 3 }], other);
      b.appendSample([{ name: 'run', file: 'gunicorn/workers/sync.py' }, { name: 'wait', file: 'gunicorn/workers/sync.py', line: 34 }], wait);
      return b.build();
    };
    // CI's numbers: 78% hotspot with 46 samples against 96% on two busier identical replicas.
    const pods = [{ pod: 'a', profile: waiting(480, 20, 0) }, { pod: 'b', profile: waiting(470, 20, 5) }, { pod: 'quiet', profile: waiting(36, 1, 9) }];
    const r = podOutliers(pods);
    expect(r.outliers).toEqual([]);
    expect(r.rows.find((x) => x.pod === 'quiet')).toMatchObject({ samples: 37 });
    // A replica that only waited has no work to compare: it is reported idle, not flagged.
    const idle = podOutliers([...pods, { pod: 'idle', profile: waiting(0, 0, 40) }]);
    expect(idle.rows.find((x) => x.pod === 'idle')).toMatchObject({ samples: 0, outlier: false, frame: expect.stringMatching(/no samples/) });
  });

  test('two pods cannot tell which one is the outlier: nothing flagged', () => {
    expect(podOutliers([{ pod: 'a', profile: profile(600, 400) }, { pod: 'b', profile: profile(980, 20) }]).outliers).toEqual([]);
  });
});
