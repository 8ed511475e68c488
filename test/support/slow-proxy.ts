/**
 * A TCP proxy that passes bytes unchanged (so SigV4 signatures, Host included, still verify)
 * and slows the answers down to about `bytesPerSecond`, for tests that must catch a transfer
 * in the middle. Its port is known before the target's, so the gateway can be told to send
 * clients here (SIGNPOST_STORE_PUBLIC_URL) and the target set once the store runs.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface SlowProxy {
  readonly port: number;
  /** Where connections go (set before the first client connects). */
  target: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

export async function startSlowProxy(bytesPerSecond: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const proxy: { target: SlowProxy['target'] } = { target: undefined };
  const server: Server = createServer((client) => {
    const t = proxy.target;
    if (!t) return client.destroy();
    const upstream = connect(t.port, t.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.once('close', () => client.end()); // after what was written so far
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get target() {
      return proxy.target;
    },
    set target(t) {
      proxy.target = t;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
