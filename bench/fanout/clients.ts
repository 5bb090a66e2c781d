import { io, type Socket } from 'socket.io-client';

// The load process of bench/fanout: thousands of socket.io-client connections, driven by its parent
// over IPC. Times are wall-clock milliseconds (performance.timeOrigin + now), comparable with the
// parent's on the same machine.

export type ToClients =
  | { readonly kind: 'connect'; readonly base: string; readonly tokens: readonly string[] }
  | { readonly kind: 'receipts' }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'check'; readonly positions: readonly string[] }
  | { readonly kind: 'exit' };

export type FromClients =
  | { readonly kind: 'connected'; readonly ms: number; readonly failed: number }
  | { readonly kind: 'receipts'; readonly receipts: readonly (readonly [string, number])[][] }
  | {
      readonly kind: 'reconnected';
      readonly catchUpMs: readonly number[];
      readonly handshakeMs: readonly number[];
      readonly failed: number;
      readonly resyncs: number;
    }
  | { readonly kind: 'checked'; readonly complete: number; readonly gaps: number; readonly duplicates: number; readonly late: number };

const now = (): number => performance.timeOrigin + performance.now();
const send = (message: FromClients): void => void process.send?.(message);

interface Client {
  socket: Socket | undefined;
  readonly token: string;
  /** movie.added as received: position and wall-clock time. */
  readonly movies: [string, number][];
  resyncs: number;
}

let base = '';
const clients: Client[] = [];

/** Per reconnection: from the start to `connect` (handshake done), and to `live` (replay done). */
const connectedAt: number[] = [];

const open = (client: Client, auth: Record<string, unknown>): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = io(base, { transports: ['websocket'], auth, reconnection: false, forceNew: true, timeout: 60_000 });
    client.socket = socket;
    socket.on('movie.added', (payload: { position: string }) => client.movies.push([payload.position, now()]));
    socket.on('resync', () => client.resyncs++);
    socket.once('connect', () => connectedAt.push(now()));
    socket.once('live', () => resolve(true));
    socket.once('connect_error', () => resolve(false));
  });

const inWaves = async <T>(items: readonly T[], width: number, work: (item: T) => Promise<boolean>): Promise<number> => {
  let failed = 0;
  for (let start = 0; start < items.length; start += width) {
    const results = await Promise.all(items.slice(start, start + width).map(work));
    failed += results.filter((ok) => !ok).length;
  }
  return failed;
};

process.on('message', (message: ToClients) => {
  void handle(message);
});

const handle = async (message: ToClients): Promise<void> => {
  switch (message.kind) {
    case 'connect': {
      base = message.base;
      const started = now();
      for (const token of message.tokens) clients.push({ socket: undefined, token, movies: [], resyncs: 0 });
      const failed = await inWaves(clients, 250, (client) => open(client, { token: client.token }));
      send({ kind: 'connected', ms: now() - started, failed });
      return;
    }
    case 'receipts':
      send({ kind: 'receipts', receipts: clients.map((client) => client.movies.map(([position, at]) => [position, at] as const)) });
      return;
    case 'reconnect': {
      // All drop at once, then all come back at once, each with the last position it has.
      for (const client of clients) client.socket?.close();
      const started = now();
      connectedAt.length = 0;
      const catchUpMs: number[] = [];
      const results = await Promise.all(
        clients.map(async (client) => {
          const since = client.movies[client.movies.length - 1]?.[0];
          const ok = await open(client, since === undefined ? { token: client.token } : { token: client.token, since });
          if (ok) catchUpMs.push(now() - started);
          return ok;
        }),
      );
      send({
        kind: 'reconnected',
        catchUpMs,
        handshakeMs: connectedAt.map((at) => at - started),
        failed: results.filter((ok) => !ok).length,
        resyncs: clients.reduce((sum, client) => sum + client.resyncs, 0),
      });
      return;
    }
    case 'check': {
      // Wait (bounded) for the last movie to reach everyone, then compare each client's sequence.
      const last = message.positions[message.positions.length - 1];
      const deadline = now() + 30_000;
      while (now() < deadline && !clients.every((client) => client.movies.some(([position]) => position === last))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      let complete = 0;
      let gaps = 0;
      let duplicates = 0;
      let late = 0;
      for (const client of clients) {
        const got = client.movies.map(([position]) => position);
        const unique = new Set(got);
        duplicates += got.length - unique.size;
        const missing = message.positions.filter((position) => !unique.has(position)).length;
        gaps += missing;
        if (!got.includes(last ?? '')) late++;
        if (
          missing === 0 &&
          got.length === message.positions.length &&
          got.every((position, index) => position === message.positions[index])
        )
          complete++;
      }
      send({ kind: 'checked', complete, gaps, duplicates, late });
      return;
    }
    case 'exit':
      for (const client of clients) client.socket?.close();
      process.exit(0);
  }
};
