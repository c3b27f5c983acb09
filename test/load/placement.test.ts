/**
 * Where the load comes from on a cluster target (load/placement.ts): Locust always next to the app; the default
 * generator only when the asked rate is beyond what the port-forward carried; a generator the scenario named is
 * never swapped; without pods (local, container) nothing moves. The ceiling is measured only when it decides.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { measureCeiling, placeLoad, inClusterMode, type PlacementInput } from '../../harness/load/placement.js';
import type { PodLauncher } from '../../harness/load/types.js';

const pods: PodLauncher = { appUrl: 'http://10.0.0.7:8000', namespace: 'holistic-x', files: async () => undefined, start: async () => { throw new Error('not here'); } };

function input(over: Partial<PlacementInput>): PlacementInput & { asked: () => number } {
  let asked = 0;
  return { generator: 'autocannon', chosen: false, pods, rate: undefined, connections: 2, mode: 'auto', forwardCeiling: async () => (asked++, 1000), asked: () => asked, ...over };
}

describe('placeLoad', () => {
  test('a rate above 80% of the port-forward ceiling moves the default generator into the cluster, with the numbers', async () => {
    const i = input({ rate: 900 });
    const p = await placeLoad(i);
    expect(p.generator).toBe('locust');
    expect(p.inCluster?.pods).toBe(pods);
    expect(p.inCluster?.reason).toBe('the port-forward carried 1000 req/s with 2 connections and the scenario asks 900 req/s (over 80% of it): the port-forward would be the limit');
    expect(i.asked()).toBe(1);
  });

  test('a rate the port-forward carries stays on it', async () => {
    expect(await placeLoad(input({ rate: 800 }))).toEqual({ generator: 'autocannon' });
  });

  test('closed loop: nothing to compare, the ceiling is not even measured', async () => {
    const i = input({});
    expect(await placeLoad(i)).toEqual({ generator: 'autocannon' });
    expect(i.asked()).toBe(0);
  });

  test('a generator the scenario named is never swapped; Locust always runs next to the app', async () => {
    expect(await placeLoad(input({ rate: 1e6, chosen: true }))).toEqual({ generator: 'autocannon' });
    expect(await placeLoad(input({ rate: 1e6, chosen: true, generator: 'k6' }))).toEqual({ generator: 'k6' });
    const locust = await placeLoad(input({ generator: 'locust', chosen: true }));
    expect(locust).toMatchObject({ generator: 'locust', inCluster: { reason: 'Locust runs next to the app on a cluster target' } });
  });

  test('no pods (local, container targets) or HOLISTIC_IN_CLUSTER=never: nothing moves, Locust runs here', async () => {
    expect(await placeLoad(input({ rate: 1e6, pods: undefined }))).toEqual({ generator: 'autocannon' });
    expect(await placeLoad(input({ generator: 'locust', pods: undefined }))).toEqual({ generator: 'locust' });
    expect(await placeLoad(input({ rate: 1e6, mode: 'never' }))).toEqual({ generator: 'autocannon' });
    expect(await placeLoad(input({ mode: 'always' }))).toMatchObject({ generator: 'locust', inCluster: { reason: 'HOLISTIC_IN_CLUSTER=always' } });
  });

  test('HOLISTIC_IN_CLUSTER: never and always are read, anything else is auto', () => {
    expect(inClusterMode({ HOLISTIC_IN_CLUSTER: 'never' })).toBe('never');
    expect(inClusterMode({ HOLISTIC_IN_CLUSTER: 'always' })).toBe('always');
    expect(inClusterMode({ HOLISTIC_IN_CLUSTER: 'yes' })).toBe('auto');
    expect(inClusterMode({})).toBe('auto');
  });
});

test('measureCeiling reads what a path carries: a server that answers in 20 ms gives about 2 x 50 req/s on 2 connections', async () => {
  const server = http.createServer((_, res) => setTimeout(() => res.end('ok'), 20));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const rps = await measureCeiling(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 2);
    // Bounded by the server's pace, not by the machine: 100 req/s at most, well above 0.
    expect(rps).toBeGreaterThan(40);
    expect(rps).toBeLessThanOrEqual(100);
  } finally {
    server.close();
  }
});
