import { describe, expect, test } from 'vitest';
import { appTree, parseProcessTable } from '../../harness/tools/processes.js';
import { attachPoint, splitByProcess } from '../../harness/tools/py-spy-processes.js';

// What processTableScript prints in a debug container joined to a pod whose PID 1 is catatonit (tab-separated:
// pid, ppid, own|other mount namespace, libpython mapped, exe, cmdline).
const table = [
  '1\t0\tother\t0\t/usr/bin/catatonit\t/usr/bin/catatonit -- /usr/bin/python3.11 /app/badapp-gunicorn.pyz --workers 2',
  '6\t1\tother\t0\t/usr/bin/python3.11\t/usr/bin/python3.11 /app/badapp-gunicorn.pyz --workers 2',
  '7\t6\tother\t0\t/usr/bin/python3.11\t/usr/bin/python3.11 /app/badapp-gunicorn.pyz --workers 2',
  '8\t6\tother\t0\t/usr/bin/python3.11\t/usr/bin/python3.11 /app/badapp-gunicorn.pyz --workers 2',
  '9\t1\tother\t1\t/usr/bin/uwsgi\tuwsgi --ini app.ini',
  '10\t0\town\t0\t/usr/bin/sleep\tsleep infinity',
  '11\t0\town\t0\t/opt/debug-tools/bin/python3.11\tpython3.11 -c pass',
  '12\t1\tother\t0\t\tpython3 worker.py',
  'garbage line',
].join('\n');

describe('finding the app\'s Python processes', () => {
  test('catatonit as PID 1: the master and workers under it are Python, the init is not; uwsgi counts by its libpython', () => {
    const tree = appTree(parseProcessTable(table), 1);
    expect(tree.map((p) => p.pid)).toEqual([1, 6, 9, 12, 7, 8]);
    expect(tree.filter((p) => p.python).map((p) => p.pid)).toEqual([6, 9, 12, 7, 8]);
    expect(tree.find((p) => p.pid === 1)!.why).toBe('exe /usr/bin/catatonit');
    expect(tree.find((p) => p.pid === 9)!.why).toMatch(/embeds Python/);
    expect(tree.find((p) => p.pid === 12)!.why).toMatch(/argv\[0\] python3 \(exe unreadable\)/);
  });

  test('the debug container\'s own processes (even a Python one) are never the app\'s', () => {
    const all = parseProcessTable(table);
    expect(all.find((p) => p.pid === 11)!.python).toBe(true);
    expect(appTree(all, 1).some((p) => p.ownNamespace)).toBe(false);
    // The local target: the app runs in the session's own namespace; its tree is still found.
    const local = parseProcessTable('400\t1\town\t0\t/usr/bin/python3.11\tpython3 -m badapp\n401\t400\town\t0\t/usr/bin/python3.11\tpython3 -m badapp');
    expect(appTree(local, 400).map((p) => p.pid)).toEqual([400, 401]);
  });

  test('the attach point is the root-most Python process when every Python process is under it, else the app root', () => {
    const all = parseProcessTable(table);
    const tree = appTree(all, 1);
    const python = tree.filter((p) => p.python);
    expect(attachPoint({ tree, python, main: python[0]! }, 1)).toBe(1); // 9 and 12 are not under 6
    const gunicornOnly = tree.filter((p) => [1, 6, 7, 8].includes(p.pid));
    const py = gunicornOnly.filter((p) => p.python);
    expect(attachPoint({ tree: gunicornOnly, python: py, main: py[0]! }, 1)).toBe(6);
  });
});

describe('splitting py-spy --subprocesses output per process', () => {
  test('process frames are stripped from the merged profile and name the process of each sample', () => {
    const raw = [
      'process 1:"/usr/bin/catatonit -- a;b";process 6:"python3 app";process 7:"python3 app";run (w.py:1);hash_password (badapp/hashing.py:11) 90',
      'process 1:"/usr/bin/catatonit -- a;b";process 6:"python3 app";process 8:"python3 app";run (w.py:1);hash_password (badapp/hashing.py:11) 80',
      'process 1:"/usr/bin/catatonit -- a;b";process 6:"python3 app";sleep (arbiter.py:3) 2',
      'process 1:"/usr/bin/catatonit -- a;b" 5',
      '',
    ].join('\n');
    const { merged, byPid } = splitByProcess(raw);
    expect(merged).toBe('run (w.py:1);hash_password (badapp/hashing.py:11) 90\nrun (w.py:1);hash_password (badapp/hashing.py:11) 80\nsleep (arbiter.py:3) 2\n');
    expect([...byPid.keys()]).toEqual([7, 8, 6]);
    expect(byPid.get(7)).toEqual({ cmdline: 'python3 app', text: 'run (w.py:1);hash_password (badapp/hashing.py:11) 90\n' });
    expect(byPid.get(6)!.text).toBe('sleep (arbiter.py:3) 2\n');
  });
});
