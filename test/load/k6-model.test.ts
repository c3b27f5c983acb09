/** holistic's load model mapped to k6 scenarios (scenarios/k6/model.ts): checked as data, since k6 cannot run here. */
import { describe, expect, test } from 'vitest';
import { k6Options } from '../../scenarios/k6/model.ts';

describe('the load model as k6 options', () => {
  const requests = [{ name: 'search', path: '/search?q=a', weight: 3 }, { path: '/orders', method: 'POST', body: { items: [] }, weight: 1 }];

  test('closed loop: one constant-vus scenario per kind with its share of the connections', () => {
    const o = k6Options({ durationS: 20, connections: 4, requests });
    expect(o.scenarios).toEqual({
      kind_0: { executor: 'constant-vus', vus: 3, duration: '20s', startTime: '0s', exec: 'request', tags: { kind: 'search' } },
      kind_1: { executor: 'constant-vus', vus: 1, duration: '20s', startTime: '0s', exec: 'request', tags: { kind: 'POST /orders' } },
    });
  });

  test('open loop with warm-up: constant-arrival-rate split by weight, starting after a tagged warm-up', () => {
    const o = k6Options({ durationS: 10, connections: 4, rate: 40, warmupS: 5, requests });
    expect(o.scenarios!.kind_0).toMatchObject({ executor: 'constant-arrival-rate', rate: 30, timeUnit: '1s', startTime: '5s', preAllocatedVUs: 3 });
    expect(o.scenarios!.kind_1).toMatchObject({ executor: 'constant-arrival-rate', rate: 10, startTime: '5s' });
    expect(o.scenarios!.warmup_0).toMatchObject({ executor: 'constant-vus', duration: '5s', tags: { kind: 'search', warmup: 'true' } });
    expect(o.thresholds).toEqual({ 'http_req_failed{warmup:!true}': ['rate<0.01'] });
  });
});
