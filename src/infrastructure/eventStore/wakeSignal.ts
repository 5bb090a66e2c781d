/**
 * Lets a reader sleep until something may have changed. A wake that comes while nobody waits is
 * remembered, so a wake between "read found nothing" and "wait" is never lost.
 */
export interface WakeSignal {
  readonly wake: () => void;
  /** Resolves on the next wake (or a pending one), or after `timeoutMs`. */
  readonly wait: (timeoutMs: number) => Promise<void>;
}

export const createWakeSignal = (): WakeSignal => {
  let pending = false;
  let waiter: (() => void) | undefined;
  return {
    wake: () => {
      pending = true;
      waiter?.();
    },
    wait: (timeoutMs) =>
      new Promise<void>((resolve) => {
        if (pending) {
          pending = false;
          resolve();
          return;
        }
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          pending = false;
          waiter = undefined;
          resolve();
        }
        waiter = done;
      }),
  };
};
