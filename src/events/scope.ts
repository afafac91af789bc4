/**
 * Which record a pass works on, for the events recorded deep inside it (status writes, AWS calls) without
 * threading a recorder through every reconciler: the controller runs each pass inside an AsyncLocalStorage scope
 * holding the sink and the record's identity. Outside a pass (the orphan sweep, tests) nothing is recorded.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { parseResourceKey } from "../crds/meta.js";
import { PermanentError } from "../runtime/errors.js";
import type { KindReconciler } from "../runtime/reconciler.js";
import type { EventType, InvolvedObject } from "../store/events.js";
import { type EventSink, NO_EVENTS } from "./recorder.js";
import { transitionEvents } from "./transitions.js";

/** What a pass's scope holds. */
export interface EventScope {
  sink: EventSink;
  /** The record the pass is about. */
  involved: InvolvedObject;
}

const storage = new AsyncLocalStorage<EventScope>();

/** Runs `fn` with `scope` as the current event scope (and everything it starts asynchronously). */
export function withEventScope<T>(scope: EventScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** `fn(arg)` inside an event scope for `involved` when there is a sink, else plainly. */
export function inEventScope<A, R>(
  sink: EventSink | undefined,
  involved: InvolvedObject,
  fn: (arg: A) => R,
  arg: A,
): R {
  if (sink === undefined) return fn(arg);
  const { kind, namespace, name } = involved;
  return withEventScope({ sink, involved: { kind, namespace, name } }, () => fn(arg));
}

/** The current scope, to carry into callbacks that run later on another clock (undefined outside a pass). */
export function currentEventScope(): EventScope | undefined {
  return storage.getStore();
}

/** The sink of the current pass (records nothing outside one). */
export function currentEventSink(): EventSink {
  return storage.getStore()?.sink ?? NO_EVENTS;
}

/** Records an event about the current pass's record; nothing outside a pass. Never throws. */
export function recordEvent(type: EventType, reason: string, message: string): void {
  const scope = storage.getStore();
  scope?.sink.record(scope.involved, type, reason, message);
}

/** Records the events a status write means (see transitions.ts) for `involved`. Never throws. */
export function recordStatusEvents(
  involved: InvolvedObject,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): void {
  const sink = currentEventSink();
  if (sink === NO_EVENTS) return;
  try {
    for (const event of transitionEvents(before, after))
      sink.record(involved, event.type, event.reason, event.message);
  } catch {
    // A malformed status is the reconciler's problem, never the event's.
  }
}

/** The reconciler with each pass run inside an event scope for its record. */
export function withEvents(reconciler: KindReconciler, sink: EventSink): KindReconciler {
  const wrapped: KindReconciler = {
    kind: reconciler.kind,
    reconcile: (key, signal, context) => {
      const involved = parseResourceKey(key);
      return withEventScope({ sink, involved }, async () => {
        try {
          return await reconciler.reconcile(key, signal, context);
        } catch (error) {
          // The runtime writes a permanent failure onto the status after the pass, outside this scope: say it here.
          if (error instanceof PermanentError) sink.record(involved, "Warning", error.reason, error.message);
          throw error;
        }
      });
    },
  };
  if (reconciler.stop !== undefined) wrapped.stop = () => reconciler.stop?.() ?? Promise.resolve();
  if (reconciler.leavesNothingBehind !== undefined)
    wrapped.leavesNothingBehind = reconciler.leavesNothingBehind;
  return wrapped;
}
