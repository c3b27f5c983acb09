/**
 * The fault "the port is taken", on every target: `--port` names a port another process (this test) listens
 * on. The run must end with exit 3, a message naming the port, who holds it (this test's pid) and what to do,
 * leave nothing (no process, container, pod, namespace, iptables rule or temp file), and leave the holder
 * working. And `--port` on a free port: the run passes and the app was reached there.
 */
import net from 'node:net';
import { describe, expect } from 'vitest';
import { detectEngine } from '../../harness/targets/engine.js';
import { ensurePortFree, freePort } from '../../harness/targets/ports.js';
import { leftovers, natRulesFor, processesWithEnv, readSummary, runFolder, runInOwnTmpdir, test, type E2eTarget } from '../helpers.js';

const engine = await detectEngine().catch(() => undefined);
const kubeconfig = process.env.HOLISTIC_KUBECONFIG;
const available: Record<E2eTarget, boolean> = { local: true, container: Boolean(engine), kube: Boolean(kubeconfig) };

/** The other process: a real listener on 127.0.0.1 that answers every connection with one line. */
async function occupy(): Promise<{ port: number; ask: () => Promise<string>; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.end('still here\n'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    ask: () =>
      new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let data = '';
        socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
        socket.on('data', (d) => (data += d.toString()));
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const target of ['local', 'container', 'kube'] as const) {
  describe.skipIf(!available[target])(`the port is taken, on ${target}`, () => {
    test('--port on a port another process listens on: exit 3, who holds it and what to do, nothing left, the holder untouched', async ({ out }) => {
      const holder = await occupy();
      try {
        const { result, tmpLeft } = await runInOwnTmpdir(target, out, ['--port', String(holder.port), '--duration', '5']);
        const context = result.all;
        expect(result.exitCode, context).toBe(3);
        const message = `port 127.0.0.1:${holder.port} is taken (by pid ${process.pid}: `;
        expect(result.stderr, context).toContain(`holistic: error: ${message}`);
        expect(result.stderr, context).toMatch(new RegExp(`by pid ${process.pid}: [^)]*node[^)]*\\); choose another --port`));
        expect(result.stderr, context).toContain('); choose another --port, or leave --port out to let the kernel pick a free one');
        // Checked before anything was started: no app, container or pod was ever made.
        expect(result.stderr, context).not.toMatch(/starting bad-app|pod holistic-/);
        const summary = await readSummary(await runFolder(out));
        expect(summary.verdict).toBe('fail');
        expect(summary.error).toContain(message);
        expect(summary.app.url).toBe('');
        expect(await leftovers(target, summary.runId)).toEqual([]);
        expect(await processesWithEnv('PORT', String(holder.port))).toEqual([]);
        if (target === 'container') expect(await natRulesFor(holder.port)).toEqual([]);
        expect(tmpLeft).toEqual([]);
        expect(await holder.ask()).toBe('still here\n');
      } finally {
        await holder.close();
      }
    });

    test('--port on a free port: the run passes, reached on that port, and the port is free again after', async ({ out }) => {
      const port = await freePort();
      const { result, tmpLeft } = await runInOwnTmpdir(target, out, ['--port', String(port), '--duration', '5']);
      expect(result.exitCode, result.all).toBe(0);
      const summary = await readSummary(await runFolder(out));
      expect(summary.verdict).toBe('pass');
      expect(summary.app.url).toBe(`http://127.0.0.1:${port}`);
      expect(summary.load?.requests).toBeGreaterThan(0);
      expect(await leftovers(target, summary.runId)).toEqual([]);
      if (target === 'container') expect(await natRulesFor(port)).toEqual([]);
      expect(tmpLeft).toEqual([]);
      await expect(ensurePortFree(port)).resolves.toBeUndefined();
    });
  });
}
