/**
 * The port taken after holistic checked it (a lost race), on each target. The check is the runner's (run.ts);
 * these tests drive the targets directly, as run.ts drives them after it, so the port reaches the part that binds
 * it — the app itself (local), podman's publishing (container), the port-forward listener (kube) — and that
 * part's own "address already in use" must become
 * the same message as the check's: exit 3, the port, who holds it (this test), what to do. Teardown then
 * leaves nothing. And without --port on the local target, a kernel-picked port lost the same way is retried
 * once on a new port.
 */
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, test } from 'vitest';
import { Cleanup } from '../../harness/cleanup.js';
import { ExitCode } from '../../harness/errors.js';
import { ContainerTarget } from '../../harness/targets/container.js';
import { detectEngine } from '../../harness/targets/engine.js';
import { KubeTarget } from '../../harness/targets/kube.js';
import { LocalTarget } from '../../harness/targets/local.js';
import { freePort, PortTakenError } from '../../harness/targets/ports.js';
import { defaultToolsImage } from '../../harness/targets/images.js';
import type { Target, TargetContext } from '../../harness/targets/types.js';
import { badApp } from '../../scenarios/apps/bad-app.js';
import { isAlive, leftovers, natRulesFor, processesWithEnv, type E2eTarget } from '../helpers.js';

const engine = await detectEngine().catch(() => undefined);
const kubeconfig = process.env.HOLISTIC_KUBECONFIG;

const targets: [E2eTarget, boolean, (port: number) => Target][] = [
  ['local', true, (port) => new LocalTarget({ port })],
  ['container', Boolean(engine), (port) => new ContainerTarget({ port, toolsImage: defaultToolsImage })],
  ['kube', Boolean(kubeconfig), (port) => new KubeTarget({ kubeconfig, port, toolsImage: defaultToolsImage })],
];

for (const [kind, available, make] of targets) {
  describe.skipIf(!available)(`the port taken after the check, on ${kind}`, () => {
    test('the binding part\'s own error becomes "port … is taken (by pid <this test>…); choose another --port…", exit 3, nothing left', async () => {
      const server = net.createServer((socket) => socket.end('still here\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const port = (server.address() as net.AddressInfo).port;
      const cleanup = new Cleanup();
      const runId = `port-race-${kind}-${process.pid}-${Date.now()}`;
      const lines: string[] = [];
      const ctx: TargetContext = { runId, cleanup, signal: new AbortController().signal, appEnv: {}, scratchDir: os.tmpdir(), log: (l) => lines.push(l) };
      try {
        const error = await make(port)
          .up(badApp, ctx)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error, lines.join('\n')).toBeInstanceOf(PortTakenError);
        expect((error as PortTakenError).exitCode).toBe(ExitCode.prerequisite);
        expect((error as Error).message).toMatch(
          new RegExp(`^port 127\\.0\\.0\\.1:${port} is taken \\(by pid ${process.pid}: [^)]*node[^)]*\\); choose another --port, or leave --port out to let the kernel pick a free one$`),
        );
        // What reached the bind, so the race really was lost there and not caught by a check.
        expect(lines.join('\n')).toMatch({ local: /starting bad-app on 127\.0\.0\.1:/, container: /starting bad-app as container/, kube: /pod holistic-/ }[kind]);
      } finally {
        expect(await cleanup.close()).toEqual([]);
        server.close();
      }
      expect(await leftovers(kind, runId)).toEqual([]);
      expect(await processesWithEnv('PORT', String(port))).toEqual([]);
      if (kind === 'container') expect(await natRulesFor(port)).toEqual([]);
    });
  });
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

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

  test('taken by a server that answers the health check: not mistaken for the app (its listener is not ours), retried', async () => {
    const sockets = new Set<net.Socket>();
    const impostor = await new Promise<net.Server>((resolve) => {
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\nimpostor');
      });
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    closers.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          impostor.close(resolve);
        }),
    );
    const taken = (impostor.address() as net.AddressInfo).port;
    expect(await (await fetch(`http://127.0.0.1:${taken}/healthz`)).text()).toBe('impostor');
    let picks = 0;
    const target = new LocalTarget({ pickPort: async () => (picks++ === 0 ? taken : freePort()) });
    const { ctx, lines, cleanup } = context();
    const deployment = await target.up(badApp, ctx);
    expect(picks).toBe(2);
    expect(lines).toContain(`port ${taken} was taken before bad-app could bind it; trying once more on a new port`);
    expect(deployment.url).not.toContain(`:${taken}`);
    expect(await (await fetch(deployment.url + '/healthz')).text()).not.toBe('impostor');
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
