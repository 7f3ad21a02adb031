import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that keeps its port for the whole test: `up` forwards connections to the
 * target, `down` resets them (the client sees ECONNRESET, as from a server that is down). Unlike
 * stopping and restarting a server on the same port, no other process can take the port meanwhile.
 */
export interface TcpGate {
  readonly endpoint: string;
  up(): void;
  down(): void;
  close(): Promise<void>;
}

/** Starts a gate in front of 127.0.0.1:`targetPort`; it starts up unless `down` is given. */
export async function startTcpGate(targetPort: number, state: 'up' | 'down' = 'up'): Promise<TcpGate> {
  let open = state === 'up';
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (!open) {
      inbound.resetAndDestroy();
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    track(outbound);
    inbound.pipe(outbound).pipe(inbound);
    outbound.on('close', () => inbound.destroy());
    inbound.on('close', () => outbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    up() {
      open = true;
    },
    down() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
