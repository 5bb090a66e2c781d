import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../../support/waitFor.ts';

// A real socket.io-client connected to a test service, recording every message it receives.

export interface Received {
  readonly name: string;
  readonly payload: Record<string, unknown>;
}

export interface FeedClient {
  readonly socket: Socket;
  readonly received: Received[];
  /** Messages of one name, in order of arrival. */
  readonly named: (name: string) => Received[];
  /** Waits until a message of this name satisfies `match` (by default any), and returns it. */
  readonly waitFor: (name: string, match?: (payload: Record<string, unknown>) => boolean, ms?: number) => Promise<Received>;
  readonly close: () => void;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Connects without retrying: resolves once connected, rejects with the server's connect_error. */
export const connectFeed = (base: string, auth: Record<string, unknown>): Promise<FeedClient> => {
  const socket = io(base, { transports: ['websocket'], auth, reconnection: false, forceNew: true, timeout: 10_000 });
  const received: Received[] = [];
  socket.onAny((name: string, payload: unknown) => received.push({ name, payload: isRecord(payload) ? payload : {} }));
  const named = (name: string): Received[] => received.filter((message) => message.name === name);
  const client: FeedClient = {
    socket,
    received,
    named,
    waitFor: async (name, match = () => true, ms = 10_000) => {
      await waitFor(() => named(name).some((message) => match(message.payload)), ms).catch(() => {
        throw new Error(`no ${name} message came in ${ms} ms; received: ${JSON.stringify(received)}`);
      });
      const found = named(name).find((message) => match(message.payload));
      if (found === undefined) throw new Error('unreachable');
      return found;
    },
    close: () => void socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
};

/** The message of the connect_error a handshake with `auth` is refused with. */
export const refusal = async (base: string, auth: Record<string, unknown>): Promise<string> => {
  try {
    const client = await connectFeed(base, auth);
    client.close();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`the handshake with ${JSON.stringify(auth)} was accepted`);
};
