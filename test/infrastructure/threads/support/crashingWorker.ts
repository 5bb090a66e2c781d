import { parentPort } from 'node:worker_threads';

// A projector thread that starts, logs, and dies soon after: what the parent must survive.

if (parentPort === null) throw new Error('crashingWorker.ts runs as a worker thread');
const port = parentPort;
port.postMessage({ kind: 'log', record: { level: 30, msg: 'crashing worker started' } });
port.postMessage({ kind: 'started' });
port.on('message', (message: { kind: string }) => {
  if (message.kind === 'stop') {
    port.postMessage({ kind: 'stopped' });
    port.close();
  }
});
setTimeout(() => {
  throw new Error('the crashing worker crashed');
}, 50);
