import { describe, expect, test } from 'vitest';
import { dropIdleLeaves, isIdleLeaf } from '../../harness/profile/idle.js';
import { parsePySpyRaw } from '../../harness/profile/pyspy-raw.js';

describe('idle leaves (blocking sampling cannot see thread state)', () => {
  test('stdlib waits are idle; the app\'s own code and socket writes are not', () => {
    expect(isIdleLeaf({ name: '_PollLikeSelector.select', file: 'selectors.py' })).toBe(true);
    expect(isIdleLeaf({ name: 'EpollSelector.select', file: '/usr/lib/python3.11/selectors.py' })).toBe(true);
    expect(isIdleLeaf({ name: 'Condition.wait', file: 'threading.py' })).toBe(true);
    expect(isIdleLeaf({ name: 'select', file: 'app.py' })).toBe(false);
    expect(isIdleLeaf({ name: '_SocketWriter.write', file: 'socketserver.py' })).toBe(false);
  });

  test('dropping them renormalises the busy samples and says what was dropped', () => {
    const p = parsePySpyRaw(
      ['<module> (app.py:1);main (app.py:2);BaseServer.serve_forever (socketserver.py:233);_PollLikeSelector.select (selectors.py:415) 14', 'Thread._bootstrap (threading.py:995);hot (app.py:9) 86'].join('\n') + '\n',
      'test',
    );
    const d = dropIdleLeaves(p);
    expect(d.idleFraction).toBeCloseTo(0.14);
    expect(d.profile.totalWeight).toBe(86);
    expect(d.statement).toMatch(/counted idle/);
  });
});
