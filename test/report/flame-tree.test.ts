import { describe, expect, test } from 'vitest';
import { ProfileBuilder } from '../../harness/profile/model.js';
import { flameTree, type FlameNode } from '../../harness/report/flamegraph.js';
import { frameKind } from '../../harness/report/frame-kind.js';

const f = (name: string, file: string, line: number) => ({ name, file, line });
const boot = f('Thread._bootstrap', 'threading.py', 995);
const handle = f('BaseHTTPRequestHandler.handle', 'http/server.py', 434);
const app = (line: number) => f('hash_password', 'badapp/hashing.py', line);

function profile() {
  const b = new ProfileBuilder('test');
  b.appendSample([boot, handle, app(10)], 3);
  b.appendSample([boot, handle, app(11)], 5);
  b.appendSample([f('select', 'selectors.py', 415)], 2); // starts nowhere near a thread's entry point
  return b.build();
}

const dump = (n: FlameNode, depth = 0): string[] => [`${'  '.repeat(depth)}${n.label} ${n.total}`, ...n.children.flatMap((c) => dump(c, depth + 1))];

describe('flame graph trees', () => {
  test('by function: the lines of one function are one frame; a stack without an entry point is grouped and labelled', () => {
    expect(dump(flameTree(profile(), 'func'))).toEqual([
      'all 10',
      '  (truncated stacks: no thread entry point) 2',
      '    select (selectors.py) 2',
      '  Thread._bootstrap (threading.py) 8',
      '    BaseHTTPRequestHandler.handle (http/server.py) 8',
      '      hash_password (badapp/hashing.py) 8',
    ]);
  });

  test('by line keeps py-spy frames; focus on my code collapses the framework above the app', () => {
    expect(dump(flameTree(profile(), 'line')).filter((l) => l.includes('hash_password'))).toEqual([
      '      hash_password (badapp/hashing.py:10) 3',
      '      hash_password (badapp/hashing.py:11) 5',
    ]);
    expect(dump(flameTree(profile(), 'app'))).toEqual([
      'all 10',
      '  … framework frames 8',
      '    hash_password (badapp/hashing.py) 8',
      '  (truncated stacks: no thread entry point) 2',
      '    (no app code on the stack) 2',
      '      select (selectors.py) 2',
    ]);
  });

  test('kinds: app, standard library, third-party, native', () => {
    expect([app(1), handle, f('x', '<frozen runpy>', 1), f('get', '/venv/lib/python3.11/site-packages/requests/api.py', 1), { name: 'memcpy' }].map(frameKind)).toEqual([
      'app', 'std', 'std', 'lib', 'native',
    ]);
  });
});
