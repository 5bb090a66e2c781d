import bunyan from 'bunyan';
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import type { ToThread, FromThread, ThreadData } from './roleThread.ts';
import { roles, type RunningRole } from './roles.ts';
import { startTracing } from '../tracing/startTracing.ts';

// A role's thread: starts the role named in its workerData and answers the thread that started it
// (roleThread.ts).

if (parentPort === null) throw new Error('roleWorker.ts runs as a worker thread');
const port = parentPort;
const post = (message: FromThread): void => port.postMessage(message);
const data = workerData as ThreadData;

// Log records go to the parent, which writes them through its own logger, so that the lines of both
// threads keep one format, one destination and one order of arrival.
const log = bunyan.createLogger({
  name: 'fastflix',
  serializers: { err: bunyan.stdSerializers.err },
  streams: [{ type: 'raw', level: data.logLevel, stream: { write: (record: object) => post({ kind: 'log', record }) } }],
});
const registry = new Registry();

let running: RunningRole | undefined;
// A thread has its own copy of every module, the OpenTelemetry API's globals included.
const tracing = await startTracing(process.env, log, { 'fastflix.roles': data.role });
port.on('message', (message: ToThread) => {
  if (message.kind === 'metrics') {
    void registry.metrics().then((text) => post({ kind: 'metrics', id: message.id, text }));
  } else {
    void (running?.stop() ?? Promise.resolve())
      .then(() => tracing?.shutdown())
      .finally(() => {
        post({ kind: 'stopped' });
        port.close();
      });
  }
});

try {
  running = await roles[data.role](data.settings, log, registry);
  post({ kind: 'started' });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
