/** Helpers for the controller's integration suites: manager settings with short leases, a gap-injecting store. */
import type { ManagerSettings } from "../../../src/runtime/manager.js";
import type {
  ResourceStore,
  WatchEvent,
  WatchHandle,
  WatchHandlers,
  WatchOptions,
} from "../../../src/store/types.js";

/** Short lease times for tests: 1.5 s lease, 0.5 s heartbeat and retry. */
export const TEST_LEASE = { durationMs: 1500, heartbeatMs: 500 } as const;

/** Manager settings for a test manager (no HTTP server unless given). */
export function testSettings(
  identity: string,
  leaseName: string,
  overrides: Partial<ManagerSettings> = {},
): ManagerSettings {
  return {
    concurrency: 4,
    resyncPeriodMs: 0,
    resyncJitter: 0.1,
    reconcileTimeoutMs: 30_000,
    shutdownTimeoutMs: 5_000,
    leaseName,
    leaseDurationMs: TEST_LEASE.durationMs,
    leaseHeartbeatMs: TEST_LEASE.heartbeatMs,
    identity,
    rateLimits: { baseDelayMs: 100, maxDelayMs: 5_000, ratePerSecond: 10, burst: 100 },
    watchPollIntervalMs: 100,
    ...overrides,
  };
}

/**
 * Wraps a store so a test can lose stream events (`dropping`) and then report the gap (`gap()`), the way a
 * trimmed shard or an expired iterator would.
 */
export function withGapControl(store: ResourceStore): {
  store: ResourceStore;
  dropping: { value: boolean };
  gap(reason: string): void;
  delivered: WatchEvent[];
} {
  const dropping = { value: false };
  const delivered: WatchEvent[] = [];
  const watchers = new Set<WatchHandlers>();
  const wrapped: ResourceStore = Object.create(store) as ResourceStore;
  wrapped.watch = async (handlers: WatchHandlers, options?: WatchOptions): Promise<WatchHandle> => {
    watchers.add(handlers);
    const inner = await store.watch(
      {
        onEvent: (event) => {
          if (dropping.value) return;
          delivered.push(event);
          handlers.onEvent(event);
        },
        onGap: (reason) => handlers.onGap(reason),
        onError: (error) => handlers.onError?.(error),
        onInvalidItem: (item, change) => handlers.onInvalidItem?.(item, change),
      },
      options,
    );
    return {
      mode: inner.mode,
      stop: async () => {
        watchers.delete(handlers);
        await inner.stop();
      },
    };
  };
  return {
    store: wrapped,
    dropping,
    delivered,
    gap: (reason) => {
      for (const h of watchers) h.onGap(reason);
    },
  };
}

/** Polls `check` every 20 ms until it is true; throws after `timeoutMs`. Returns the wait in ms. */
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - start;
}
