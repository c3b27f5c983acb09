/**
 * `kubectl port-forward` in-process: a listener on 127.0.0.1 whose every connection is tunnelled to the pod's
 * port through the API server (one websocket per connection, as kubectl's SPDY streams).
 */
import { PortForward } from '@kubernetes/client-node';
import net from 'node:net';
import type { KubeClient } from './client.js';

export interface Forward {
  port: number;
  close(): Promise<void>;
}

export async function portForward(client: KubeClient, namespace: string, pod: string, targetPort: number): Promise<Forward> {
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
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
