import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Logger } from '../logging/logger.ts';

/**
 * Lowers the priority of the calling worker thread (nice 10): for work nobody waits on, such as the
 * scheduler's similarity computation (seconds of CPU), which on a small machine would otherwise take
 * its share of the cores from the requests and projectors that people do wait on. On Linux a thread
 * has a nice value of its own, set through its thread id; elsewhere, or without the permission, the
 * thread keeps its priority and says so at debug level.
 */
export const lowerThreadPriority = (log: Logger, nice = 10): void => {
  if (isMainThread) return;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    setPriority(threadId, nice);
  } catch (error) {
    log.debug({ err: error }, 'could not lower the priority of this thread');
  }
};
