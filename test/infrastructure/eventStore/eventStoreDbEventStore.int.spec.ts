import * as E from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../../src/infrastructure/eventStore/eventStore.ts';
import { parseEventStoreUrl } from '../../../src/infrastructure/eventStore/eventstoredb/connectionString.ts';
import { createEventStoreDbEventStore } from '../../../src/infrastructure/eventStore/eventstoredb/eventStoreDbEventStore.ts';
import { eventStoreConformance } from './conformance.ts';
import { startTcpProxy, type TcpProxy } from './tcpProxy.ts';

// Runs against a real server only: EventStoreDB cannot be embedded, and a stand-in would prove
// nothing about it. The suite shares the server's log with whatever else is on it, as it allows.
// Stores are opened through a TCP relay (single node, tls=false), so the dropped-connection case
// can cut their connections as a network fault would.

const stores: EventStore[] = [];
let proxy: TcpProxy | undefined;

eventStoreConformance('EventStoreDB', () => {
  const url = process.env.EVENTSTORE_URL;
  if (url === undefined || url === '') {
    return 'EVENTSTORE_URL is not set, so there is no EventStoreDB server to test against (set it to esdb://host:2113?tls=false to run this suite)';
  }
  const parsed = parseEventStoreUrl(url);
  if (E.isLeft(parsed)) throw new Error(`EVENTSTORE_URL cannot be used: ${parsed.left}`);
  const [host] = parsed.right.options.hosts;
  const relayable =
    host !== undefined &&
    parsed.right.options.hosts.length === 1 &&
    !parsed.right.options.dnsDiscover &&
    parsed.right.options.tls === false;
  return {
    open: async () => {
      let connection = parsed.right;
      if (relayable) {
        proxy ??= await startTcpProxy(host.address, host.port);
        const relayed = parseEventStoreUrl(connection.connectionString.replace(`${host.address}:${host.port}`, `127.0.0.1:${proxy.port}`));
        if (E.isLeft(relayed)) throw new Error(relayed.left);
        connection = relayed.right;
      }
      const store = createEventStoreDbEventStore({ connection });
      stores.push(store);
      return store;
    },
    teardown: async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await proxy?.close();
    },
    dropConnections: relayable
      ? () => {
          proxy?.cut();
          return Promise.resolve();
        }
      : 'the connections are cut through a TCP relay, which needs EVENTSTORE_URL to name one node with tls=false',
  };
});
