// The reactor runtime: event subscribers with a side effect (a socket emit, a mail, a job).
//
// How to write one (a folder of its own, src/reactors/<name>/):
//
//   export const welcomeMail = (agenda: Agenda): Reactor => ({
//     name: 'welcome-mail',                  // stable: its checkpoint, parked events and effects are kept under it
//     eventTypes: ['UserRegistered'],        // only these are delivered
//     handle: async (event, { once }) => {
//       await once('', async () => {         // keyed on (reactor, event.eventId, ''): a redelivery does nothing
//         await agenda.now('welcome-mail', { userId: event.data.userId, eventId: event.eventId });
//       });
//     },
//   });
//
// - Delivery is at least once, in log order, one event at a time; `once(key, effect)` makes an effect
//   happen once per causing event: its record commits with whatever `effect` writes through the `tx` it
//   is given (exactly once for writes to this database). An effect outside the database is recorded
//   when it returns, so a crash in between repeats it: give it the event id as its own key too
//   (Agenda's `unique`, a message id). Effects that need no record can key themselves any other way.
// - Throwing retries the event with backoff (200 ms, 1 s, 5 s), then parks it in reactor_parked
//   (`fastflix reactors status`, the fastflix_reactor_parked_events gauge) and goes on; other reactors
//   run on regardless.
// - Events of bulk loads (`metadata.bulk === true`: the importer, `demo`) are passed over unless the
//   reactor says `includeBulk: true`.
// - A new reactor starts at the head of the log (`startAt: 'start'` to react to the past too).
// - Its checkpoint is its own (reactor_state), never a projection's: rebuilding a projection never
//   runs a reactor again. One instance runs each reactor (an advisory lock); others stand by.
//
// How to register one: add it to the list in src/reactors/index.ts, which the scheduler role runs
// with `startReactors`; or call `startReactors([...], runtime)` wherever its dependencies live.

export type { EffectOnce, Reactor, ReactorContext } from './reactor.ts';
export { effectDone } from './effects.ts';
export { createReactorMetrics, type ReactorMetrics } from './metrics.ts';
export { runReactor, type ReactorRuntime, type RunningReactor } from './runReactor.ts';
export { startReactors, type RunningReactors } from './startReactors.ts';
export { reactorStatus, type ReactorStatus, type ParkedEvent } from './status.ts';
