/**
 * The host port the app is reached on (127.0.0.1 only): one the kernel picks, or the user's `--port`. When the
 * user's port is taken the run stops before anything starts (exit 3) naming who holds it, read from /proc: the
 * LISTEN socket's inode in /proc/net/tcp{,6}, then the process whose /proc/PID/fd links to that socket.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import net from 'node:net';
import { PrerequisiteError, UsageError } from '../errors.js';

/** A TCP port free on 127.0.0.1 right now (the kernel picks it; a race with another process is possible). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const portRange = 'an integer from 1 to 65535';

/** `--port`'s value: an integer 1..65535, else undefined. */
export function parsePort(value: string | number): number | undefined {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** For library callers (RunOptions.port): the same rule as the CLI's, as a usage error (exit 2). */
export function checkPortOption(port: number | undefined): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`port ${String(port)} is not valid: expected ${portRange}`);
}

/** A process holding a listening socket. */
export interface PortOwner {
  pid: number;
  /** Its command line, spaces between the arguments ('' when unreadable). */
  command: string;
}

/**
 * The inodes of the LISTEN sockets on `port` in a /proc/net/tcp or tcp6 table. Any local address counts
 * (0.0.0.0 and :: hold 127.0.0.1's port too).
 */
export function listenInodes(table: string, port: number): number[] {
  const inodes: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const localPort = parseInt(fields[1]!.split(':')[1] ?? '', 16);
    if (localPort !== port || fields[3] !== '0A') continue;
    const inode = Number(fields[9]);
    if (inode > 0) inodes.push(inode);
  }
  return inodes;
}

/**
 * Who listens on TCP `port`, from /proc: [] when nobody does, or when their /proc/PID/fd is not readable to us
 * (another user's process, another PID namespace), or /proc is not there.
 */
export async function portOwners(port: number, proc = '/proc'): Promise<PortOwner[]> {
  const inodes = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`${proc}/net/${table}`, 'utf8').catch(() => '');
    for (const inode of listenInodes(text, port)) inodes.add(inode);
  }
  if (inodes.size === 0) return [];
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const owners: PortOwner[] = [];
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    const fds = await readdir(`${proc}/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`${proc}/${pid}/fd/${fd}`).catch(() => '');
      if (links.has(link)) {
        const cmdline = await readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '');
        owners.push({ pid, command: cmdline.split('\0').filter(Boolean).join(' ') });
        break;
      }
    }
  }
  return owners;
}

/** "by pid 1234: python3 -m http.server", or "by another process" when /proc does not say. */
export function describeOwners(owners: readonly PortOwner[]): string {
  if (owners.length === 0) return 'by another process';
  const [first, ...more] = owners;
  const command = first!.command.length > 120 ? first!.command.slice(0, 117) + '...' : first!.command;
  return `by pid ${first!.pid}${command ? `: ${command}` : ''}${more.length ? `, and ${more.length} more process${more.length > 1 ? 'es' : ''}` : ''}`;
}

/** The port the app was to be reached on is held by someone else: exit 3, who holds it and what to do. */
export class PortTakenError extends PrerequisiteError {
  constructor(
    readonly port: number,
    owners: readonly PortOwner[],
    /** true for the user's --port; false for a port the kernel picked and someone took before the app bound it. */
    readonly chosen: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      `port 127.0.0.1:${port} is taken (${describeOwners(owners)}); ` +
        (chosen
          ? 'choose another --port, or leave --port out to let the kernel pick a free one'
          : 'another process took it between the kernel picking it and the app binding it: run again, or choose one with --port'),
      options,
    );
  }
}

/** The error for a taken port, with its owner looked up now. */
export async function portTaken(port: number, chosen: boolean, options?: { cause?: unknown }): Promise<PortTakenError> {
  return new PortTakenError(port, await portOwners(port).catch(() => []), chosen, options);
}

/**
 * Throws PortTakenError when 127.0.0.1:`port` cannot be listened on because someone holds it; a port this user
 * may not bind (below 1024 without the right) is a PrerequisiteError that says so.
 */
export async function ensurePortFree(port: number): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (!error) return;
  if (error.code === 'EADDRINUSE') throw await portTaken(port, true, { cause: error });
  if (error.code === 'EACCES') {
    throw new PrerequisiteError(
      `cannot listen on 127.0.0.1:${port}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); choose a port from 1024 up with --port`,
      { cause: error },
    );
  }
  throw new PrerequisiteError(`cannot listen on 127.0.0.1:${port}: ${error.message}`, { cause: error });
}

/** Tools' wording for a port someone else holds (Python's OSError, Go's and Node's bind errors). */
export function saysAddressInUse(text: string): boolean {
  return /address already in use|EADDRINUSE/i.test(text);
}
