import bunyan from 'bunyan';
import { parentPort, workerData } from 'node:worker_threads';
import { createProjectionMetrics } from '../metrics/metrics.ts';
import type { ToThread, FromThread, ThreadData } from './projectorThread.ts';
import { startProjector, type RunningProjector } from './startProjector.ts';

// The projector thread: runs `startProjector` and answers the thread that started it (projectorThread.ts).

if (parentPort === null) throw new Error('projectorWorker.ts runs as a worker thread');
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
const metrics = createProjectionMetrics();

let projector: RunningProjector | undefined;
port.on('message', (message: ToThread) => {
  if (message.kind === 'metrics') {
    void metrics.registry.metrics().then((text) => post({ kind: 'metrics', id: message.id, text }));
  } else {
    void (projector?.stop() ?? Promise.resolve()).finally(() => {
      post({ kind: 'stopped' });
      port.close();
    });
  }
});

try {
  projector = await startProjector(data.settings, log, metrics);
  post({ kind: 'started' });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
