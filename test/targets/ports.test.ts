import { KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../harness/cli.js';
import { ExitCode, PrerequisiteError, UsageError } from '../../harness/errors.js';
import { resolveTarget } from '../../harness/targets/index.js';
import { portForward } from '../../harness/targets/kube/port-forward.js';
import type { KubeClient } from '../../harness/targets/kube/client.js';
import {
  checkPortOption,
  describeOwners,
  ensurePortFree,
  listenInodes,
  parsePort,
  portOwners,
  PortTakenError,
  saysAddressInUse,
} from '../../harness/targets/ports.js';

/** A real listener on 127.0.0.1, on a port the kernel picks: the "other process" holding a port. */
async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.end('occupied\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('--port validation', () => {
  test.each([
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
    [' 443 ', 443],
  ])('%j is the port %d', (value, port) => {
    expect(parsePort(value)).toBe(port);
  });

  test.each(['0', '65536', '-1', '80.5', '8e3', '0x50', '', 'http', '1,2', '99999999999999999999'])('%j is not a port', (value) => {
    expect(parsePort(value)).toBeUndefined();
  });

  test.each([
    ['0', /--port <n>.*'0' is invalid\. expected a port: an integer from 1 to 65535/],
    ['70000', /--port <n>.*'70000' is invalid\. expected a port: an integer from 1 to 65535/],
    ['eighty', /--port <n>.*'eighty' is invalid\. expected a port: an integer from 1 to 65535/],
    ['8080.5', /--port <n>.*'8080\.5' is invalid/],
  ])('holistic run --port %s exits 2 with a clear message, before anything starts', async (value, message) => {
    const err: string[] = [];
    const code = await main(['node', 'holistic', 'run', 'cpu-hotspot', '--target', 'local', '--port', value], { out: () => undefined, err: (t) => err.push(t) });
    expect(code).toBe(ExitCode.usage);
    expect(err.join('\n')).toMatch(message);
  });

  test('a library caller passing a bad port gets a usage error (exit 2) from resolveTarget', async () => {
    expect(() => checkPortOption(undefined)).not.toThrow();
    expect(() => checkPortOption(8080)).not.toThrow();
    for (const port of [0, 65536, 80.5, Number.NaN]) expect(() => checkPortOption(port)).toThrow(UsageError);
    await expect(resolveTarget('local', { port: 0, toolsImage: 'unused' })).rejects.toThrow(/port 0 is not valid: expected an integer from 1 to 65535/);
  });
});

describe('who holds a port, from /proc', () => {
  const tcp =
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n' +
    '   1: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000000000000000 100 0 0 10 0\n' +
    // An established connection from port 8080: not a listener.
    '   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 20 4 30 10 -1\n' +
    // A listener whose inode is 0 (a socket being torn down): nobody to name.
    '   3: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0\n';
  const tcp6 =
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
    '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5151 1 0000000000000000 100 0 0 10 0\n';

  test('listenInodes: LISTEN rows (st 0A) on the port, any local address, v4 and v6', () => {
    expect(listenInodes(tcp, 8080)).toEqual([4242]);
    expect(listenInodes(tcp, 8081)).toEqual([4343]);
    expect(listenInodes(tcp, 9000)).toEqual([]);
    expect(listenInodes(tcp, 1234)).toEqual([]);
    expect(listenInodes(tcp6, 8080)).toEqual([5151]);
    expect(listenInodes('', 8080)).toEqual([]);
    expect(listenInodes('garbage\nmore garbage', 8080)).toEqual([]);
  });

  test('portOwners on a /proc tree: the process whose fd links to the socket, with its command line', async () => {
    const proc = await mkdtemp(path.join(os.tmpdir(), 'holistic-fake-proc-'));
    closers.push(() => rm(proc, { recursive: true, force: true }));
    await mkdir(path.join(proc, 'net'));
    await writeFile(path.join(proc, 'net', 'tcp'), tcp);
    await writeFile(path.join(proc, 'net', 'tcp6'), tcp6);
    const fakeProcess = async (pid: number, cmdline: string, fds: Record<string, string> | undefined) => {
      await mkdir(path.join(proc, String(pid)));
      await writeFile(path.join(proc, String(pid), 'cmdline'), cmdline);
      if (!fds) return; // fd/ unreadable: another user's process
      await mkdir(path.join(proc, String(pid), 'fd'));
      for (const [fd, target] of Object.entries(fds)) await symlink(target, path.join(proc, String(pid), 'fd', fd));
    };
    await fakeProcess(1234, ['python3', '-m', 'http.server', '8080', ''].join('\0'), { '0': '/dev/null', '3': 'socket:[4242]' });
    await fakeProcess(77, 'sshd\0', { '3': 'socket:[1]' });
    await fakeProcess(99, 'secret\0', undefined);
    await fakeProcess(2000, 'server-v6\0', { '5': 'socket:[5151]' });

    expect(await portOwners(8080, proc)).toEqual([
      { pid: 1234, command: 'python3 -m http.server 8080' },
      { pid: 2000, command: 'server-v6' },
    ]);
    // A listener whose process we cannot see (fd/ unreadable, another user): no owner, "another process".
    expect(await portOwners(8081, proc)).toEqual([]);
    expect(describeOwners(await portOwners(8081, proc))).toBe('by another process');
    expect(await portOwners(9999, proc)).toEqual([]);
    expect(await portOwners(8080, path.join(proc, 'missing'))).toEqual([]);
  });

  test('describeOwners: the first owner with its command, how many more, a long command shortened', () => {
    expect(describeOwners([])).toBe('by another process');
    expect(describeOwners([{ pid: 1234, command: 'python3 -m http.server' }])).toBe('by pid 1234: python3 -m http.server');
    expect(describeOwners([{ pid: 1234, command: '' }])).toBe('by pid 1234');
    expect(describeOwners([{ pid: 1, command: 'a' }, { pid: 2, command: 'b' }, { pid: 3, command: 'c' }])).toBe('by pid 1: a, and 2 more processes');
    expect(describeOwners([{ pid: 1, command: 'x'.repeat(500) }])).toHaveLength('by pid 1: '.length + 120);
  });

  test('portOwners on the real /proc finds this test process listening', async () => {
    const held = await occupy();
    closers.push(held.close);
    const owners = await portOwners(held.port);
    expect(owners.map((o) => o.pid)).toContain(process.pid);
    expect(owners.find((o) => o.pid === process.pid)!.command).toMatch(/node/);
  });
});

describe('a taken port', () => {
  test('ensurePortFree: a free port passes; a held one is exit 3 naming the port, this process and what to do', async () => {
    const held = await occupy();
    closers.push(held.close);
    const error = await ensurePortFree(held.port).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortTakenError);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PortTakenError).exitCode).toBe(ExitCode.prerequisite);
    expect((error as Error).message).toMatch(
      new RegExp(`^port 127\\.0\\.0\\.1:${held.port} is taken \\(by pid ${process.pid}: [^)]*node[^)]*\\); choose another --port, or leave --port out to let the kernel pick a free one$`),
    );
    // The check left the holder alone.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(held.port, '127.0.0.1');
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toBe('occupied\n');
    await held.close();
    closers.length = 0;
    await expect(ensurePortFree(held.port)).resolves.toBeUndefined();
  });

  test('a kernel-picked port lost to a race says so and what to do', () => {
    expect(new PortTakenError(4000, [], false).message).toBe(
      'port 127.0.0.1:4000 is taken (by another process); another process took it between the kernel picking it and the app binding it: run again, or choose one with --port',
    );
  });

  test("tools' wording for a taken port is recognised", () => {
    expect(saysAddressInUse('OSError: [Errno 98] Address already in use')).toBe(true);
    expect(saysAddressInUse('Error: cannot listen on the TCP port: listen tcp4 127.0.0.1:33037: bind: address already in use')).toBe(true);
    expect(saysAddressInUse('Error: listen EADDRINUSE: address already in use 127.0.0.1:80')).toBe(true);
    expect(saysAddressInUse('Error: image not known')).toBe(false);
  });

  test("the kube port-forward's own EADDRINUSE (the port taken after the check) is the same message", async () => {
    const held = await occupy();
    closers.push(held.close);
    const client = { config: new KubeConfig() } as unknown as KubeClient;
    const error = await portForward(client, 'ns', 'pod', 8000, held.port).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortTakenError);
    expect((error as Error).message).toContain(`port 127.0.0.1:${held.port} is taken (by pid ${process.pid}`);
    expect((error as Error).message).toContain('choose another --port');
    // And on a free port it listens there, and closes.
    await held.close();
    closers.length = 0;
    const forward = await portForward(client, 'ns', 'pod', 8000, held.port);
    expect(forward.port).toBe(held.port);
    await forward.close();
    await expect(ensurePortFree(held.port)).resolves.toBeUndefined();
  });
});
