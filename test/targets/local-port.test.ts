/**
 * The local target and its port, against the real bad-app: a kernel-picked port that another process takes
 * before the app binds it is retried once on a new port; lost twice, it is exit 3 saying so. The app's own
 * "Address already in use" is what tells the target (the race happens in the app, after our check).
 */
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { Cleanup } from '../../harness/cleanup.js';
import { ExitCode } from '../../harness/errors.js';
import { LocalTarget } from '../../harness/targets/local.js';
import { freePort, PortTakenError } from '../../harness/targets/ports.js';
import type { TargetContext } from '../../harness/targets/types.js';
import { badApp } from '../../scenarios/apps/bad-app.js';
import { isAlive } from '../helpers.js';

/** A listener that accepts and never answers (an HTTP probe of it times out), as a squatter would. */
async function occupy(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function context(): { ctx: TargetContext; lines: string[]; cleanup: Cleanup } {
  const cleanup = new Cleanup();
  closers.push(() => cleanup.close());
  const lines: string[] = [];
  const ctx: TargetContext = { runId: 'port-race', cleanup, signal: new AbortController().signal, appEnv: {}, scratchDir: os.tmpdir(), log: (l) => lines.push(l) };
  return { ctx, lines, cleanup };
}

describe('local target: a kernel-picked port taken before the app binds it', () => {
  test('retried once on a new port: the app comes up there', async () => {
    const held = await occupy();
    closers.push(held.close);
    const picks: number[] = [];
    const target = new LocalTarget({
      pickPort: async () => {
        const port = picks.length === 0 ? held.port : await freePort();
        picks.push(port);
        return port;
      },
    });
    const { ctx, lines, cleanup } = context();
    const deployment = await target.up(badApp, ctx);
    expect(picks).toHaveLength(2);
    expect(picks[0]).toBe(held.port);
    expect(deployment.url).toBe(`http://127.0.0.1:${picks[1]}`);
    expect(lines).toContain(`port ${held.port} was taken before bad-app could bind it; trying once more on a new port`);
    expect(await deployment.isAlive()).toBe(true);
    expect((await fetch(deployment.url + '/healthz')).status).toBe(200);
    await cleanup.close();
    expect(isAlive(deployment.hostPid)).toBe(false);
  });

  test('lost twice: exit 3, the port, its holder (this process) and what to do', async () => {
    const held = await occupy();
    closers.push(held.close);
    let picks = 0;
    const target = new LocalTarget({
      pickPort: async () => {
        picks++;
        return held.port;
      },
    });
    const { ctx } = context();
    const error = await target.up(badApp, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(picks).toBe(2);
    expect(error).toBeInstanceOf(PortTakenError);
    expect((error as PortTakenError).exitCode).toBe(ExitCode.prerequisite);
    expect((error as Error).message).toMatch(
      new RegExp(`^port 127\\.0\\.0\\.1:${held.port} is taken \\(by pid ${process.pid}: .*node.*\\); another process took it between the kernel picking it and the app binding it: run again, or choose one with --port$`),
    );
  });
});
