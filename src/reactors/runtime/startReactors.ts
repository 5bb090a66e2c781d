import type { Reactor } from './reactor.ts';
import { runReactor, type ReactorRuntime } from './runReactor.ts';

export interface RunningReactors {
  /** Each reactor stops after the event in hand; its checkpoint stays where it was last stored. */
  readonly stop: () => Promise<void>;
  /** Every reactor's first attempt settled (see RunningReactor.ready). */
  readonly ready: Promise<void>;
}

/** A runner for each reactor, independent of the others: one failing or parked never holds another up. */
export const startReactors = (reactors: readonly Reactor[], runtime: ReactorRuntime): RunningReactors => {
  const names = new Set<string>();
  for (const reactor of reactors) {
    if (names.has(reactor.name)) throw new Error(`two reactors are named ${reactor.name}: their checkpoints would be one`);
    names.add(reactor.name);
  }
  const runners = reactors.map((reactor) => runReactor(reactor, runtime));
  if (reactors.length > 0) runtime.log.info({ reactors: [...names] }, 'reactors started');
  return {
    stop: async () => void (await Promise.all(runners.map((runner) => runner.stop()))),
    ready: Promise.all(runners.map((runner) => runner.ready)).then(() => undefined),
  };
};
