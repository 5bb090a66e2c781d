// Runs a worker thread from the TypeScript sources, as bin/fastflix.js does the main thread: the
// hooks that tsx registers there do not reach worker threads on Node 20.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.typescriptEntry);
