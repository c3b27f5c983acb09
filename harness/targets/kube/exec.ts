/**
 * Running a tool in a container of a pod (the debug container) through the API's exec subresource, as
 * `kubectl exec` does: never attach, so nothing of the session lands in the container's log. Copying a file
 * out is `cat` over exec, checked against the file's size and sha256 inside the container (client-node's Cp
 * neither awaits completion nor checks what arrived).
 */
import { Exec, type V1Status } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { CommandError, prettyCommand, tail, type RunResult } from '../../exec.js';
import type { ExecOptions } from '../types.js';
import type { KubeClient } from './client.js';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

function kubectlLine(t: ExecTarget, argv: readonly string[]): string {
  return prettyCommand('kubectl', ['exec', '-n', t.namespace, t.pod, '-c', t.container, '--', ...argv]);
}

/** Like exec.ts run() with reject:false: resolves with the exit code; throws on timeout, cancel or API failure. */
export async function kubeExec(
  client: KubeClient,
  target: ExecTarget,
  argv: readonly string[],
  options: ExecOptions & { stdout?: Writable },
): Promise<RunResult> {
  const command = kubectlLine(target, argv);
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  const out =
    options.stdout ??
    new Writable({
      write(chunk: Buffer, _enc, done) {
        stdout += chunk.toString();
        done();
      },
    });
  const err = new Writable({
    write(chunk: Buffer, _enc, done) {
      stderr = (stderr + chunk.toString()).slice(-64 * 1024);
      done();
    },
  });
  let status: V1Status | undefined;
  let socket: Awaited<ReturnType<Exec['exec']>>;
  try {
    socket = await new Exec(client.config).exec(
      target.namespace, target.pod, target.container, [...argv], out, err, null, false,
      (s) => (status = s),
    );
  } catch (error) {
    // The websocket library rejects with an event object, not an Error: keep its message.
    const reason = error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? JSON.stringify(error));
    throw new CommandError(`Command failed: ${command}\nthe API server refused or dropped the exec: ${reason}`, command, undefined, stderr, stdout, false, false, { cause: error });
  }
  const outcome = await new Promise<'closed' | 'timeout' | 'cancel'>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    const onAbort = () => resolve('cancel');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('close', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve('closed');
    });
  });
  if (outcome !== 'closed') {
    socket.close();
    const reason = outcome === 'timeout' ? `Command timed out after ${options.timeoutMs} ms` : 'Command was canceled';
    throw new CommandError(`${reason}: ${command}\n${tail(stderr)}`, command, undefined, stderr, stdout, outcome === 'timeout', outcome === 'cancel');
  }
  if (options.stdout) await new Promise<void>((resolve) => options.stdout!.end(resolve));
  const exitCode = exitCodeOf(status);
  if (exitCode === undefined) {
    // The API refused the exec itself (container not running, command not found): say what it said.
    throw new CommandError(`Command failed: ${command}\n${status?.message ?? 'no status from the API'}`, command, undefined, stderr, stdout, false, false);
  }
  return { command, exitCode, stdout, stderr: stderr || (exitCode !== 0 ? status?.message ?? '' : ''), durationMs: Date.now() - started };
}

function exitCodeOf(status: V1Status | undefined): number | undefined {
  if (!status) return undefined;
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined) return Number(cause.message);
  return undefined;
}

/** Copy one file out of the container with `cat`, then check its size and sha256 against the container's. */
export async function kubeCopyOut(
  client: KubeClient,
  target: ExecTarget,
  containerPath: string,
  hostPath: string,
  options: { signal?: AbortSignal; timeoutMs?: number },
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const expected = await kubeExec(client, target, ['sha256sum', containerPath], { timeoutMs: 60_000, signal: options.signal });
  if (expected.exitCode !== 0) throw new Error(`cannot read ${containerPath} in ${target.pod}/${target.container}: ${tail(expected.stderr, 3)}`);
  const sum = expected.stdout.trim().split(/\s+/)[0];
  const hash = createHash('sha256');
  const file = createWriteStream(hostPath);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      file.write(chunk, done);
    },
    final(done) {
      file.end(done);
    },
  });
  const r = await kubeExec(client, target, ['cat', containerPath], { timeoutMs, signal: options.signal, stdout: sink });
  if (r.exitCode !== 0) throw new Error(`cat ${containerPath} failed in ${target.pod}/${target.container}: ${tail(r.stderr, 3)}`);
  const got = hash.digest('hex');
  if (got !== sum) {
    throw new Error(`copy of ${containerPath} is corrupt: sha256 ${got} here, ${sum} in the container (${(await stat(hostPath)).size} bytes arrived)`);
  }
}
