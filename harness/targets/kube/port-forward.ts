/**
 * `kubectl port-forward` in-process: a listener on 127.0.0.1 whose every connection is tunnelled to the pod's
 * port through the API server (one websocket per connection, as kubectl's SPDY streams).
 */
import { PortForward } from '@kubernetes/client-node';
import net from 'node:net';
import { portTaken } from '../ports.js';
import type { KubeClient } from './client.js';

export interface Forward {
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:localPort, or a port the kernel picks when it is not given. */
export async function portForward(client: KubeClient, namespace: string, pod: string, targetPort: number, localPort?: number): Promise<Forward> {
  const forwarder = new PortForward(client.config, true);
  const sockets = new Set<net.Socket>();
  const closers = new Set<() => void>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    forwarder
      .portForward(namespace, pod, [targetPort], socket, null, socket)
      .then((ws) => {
        const close = () => {
          const w = typeof ws === 'function' ? ws() : ws;
          w?.close();
        };
        closers.add(close);
        socket.on('close', () => {
          closers.delete(close);
          close();
        });
      })
      .catch(() => socket.destroy());
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: localPort ?? 0, host: '127.0.0.1', exclusive: true }, () => resolve());
    });
  } catch (error) {
    // Someone took the port after it was checked: the same message as the check's.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && localPort !== undefined) throw await portTaken(localPort, true, { cause: error });
    throw error;
  }
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const close of closers) close();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
