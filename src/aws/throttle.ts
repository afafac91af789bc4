/**
 * Client-side pacing of ECS calls: one reservation token bucket per ECS API category, with AWS's published
 * bucket sizes, so the controller waits on its own clock instead of collecting ThrottlingExceptions.
 * Cloud Map has no client bucket: its limits are per API and far above what the reconcilers send, and the
 * SDK's standard retry mode absorbs the rare RequestLimitExceeded.
 */
import { type Clock, sleep } from "../clock.js";
import { TokenBucket } from "../token-bucket.js";

/** ECS API categories that share one token bucket per account and Region. */
export const EcsApiCategory = {
  clusterRead: "clusterRead",
  clusterWrite: "clusterWrite",
  serviceRead: "serviceRead",
  serviceWrite: "serviceWrite",
  taskDefinitionRead: "taskDefinitionRead",
  taskDefinitionRegister: "taskDefinitionRegister",
  taskDefinitionDeregister: "taskDefinitionDeregister",
  taskRead: "taskRead",
  tagging: "tagging",
} as const;

/** One ECS API category. */
export type EcsApiCategory = (typeof EcsApiCategory)[keyof typeof EcsApiCategory];

/** Burst capacity and sustained refill rate of one bucket. */
export interface EcsBucketSettings {
  burst: number;
  refillPerSecond: number;
}

/**
 * AWS's numbers ("Request throttling for the Amazon ECS API"): RegisterTaskDefinition 20/1, service writes
 * 50/5, DescribeServices and other reads 100/20, cluster reads 50/20. Deregistration and cluster writes are
 * not pinned down for our calls, so they get the conservative 20/1; tagging 100/20.
 */
export const ECS_API_BUCKETS: Readonly<Record<EcsApiCategory, EcsBucketSettings>> = {
  clusterRead: { burst: 50, refillPerSecond: 20 },
  clusterWrite: { burst: 20, refillPerSecond: 1 },
  serviceRead: { burst: 100, refillPerSecond: 20 },
  serviceWrite: { burst: 50, refillPerSecond: 5 },
  taskDefinitionRead: { burst: 100, refillPerSecond: 20 },
  taskDefinitionRegister: { burst: 20, refillPerSecond: 1 },
  taskDefinitionDeregister: { burst: 20, refillPerSecond: 1 },
  taskRead: { burst: 100, refillPerSecond: 20 },
  tagging: { burst: 100, refillPerSecond: 20 },
};

/** The bucket each ECS operation the adapter calls draws from. */
export const ECS_OPERATION_CATEGORY: Readonly<Record<string, EcsApiCategory>> = {
  CreateService: "serviceWrite",
  UpdateService: "serviceWrite",
  DeleteService: "serviceWrite",
  DescribeServices: "serviceRead",
  DescribeServiceDeployments: "serviceRead",
  ListServices: "serviceRead",
  RegisterTaskDefinition: "taskDefinitionRegister",
  DeregisterTaskDefinition: "taskDefinitionDeregister",
  DescribeTaskDefinition: "taskDefinitionRead",
  ListTaskDefinitions: "taskDefinitionRead",
  ListTaskDefinitionFamilies: "taskDefinitionRead",
  TagResource: "tagging",
  UntagResource: "tagging",
  ListTagsForResource: "tagging",
  DescribeClusters: "clusterRead",
  ListClusters: "clusterRead",
  DescribeTasks: "taskRead",
  ListTasks: "taskRead",
};

/**
 * Added to every non-zero wait. Node timers can fire up to ~2 ms early (libuv's millisecond loop clock; 139 of 200
 * timers measured early), and a call that reaches AWS's exact-rate bucket a hair before the token is whole is
 * throttled. A few ms per wait costs nothing measurable next to one-second refills.
 */
export const TIMER_MARGIN_MS = 5;

/** Per-category buckets; `acquire` resolves when the operation's token is due (plus {@link TIMER_MARGIN_MS}). */
export class EcsRateLimiter {
  private readonly buckets = new Map<EcsApiCategory, TokenBucket>();
  private readonly settings: Record<EcsApiCategory, EcsBucketSettings>;

  /** Buckets on `clock` with `overrides` merged over {@link ECS_API_BUCKETS}. */
  constructor(
    private readonly clock: Clock,
    overrides: Partial<Record<EcsApiCategory, EcsBucketSettings>> = {},
  ) {
    this.settings = { ...ECS_API_BUCKETS, ...overrides };
  }

  /**
   * Reserves a token for `operation` and waits for it on the clock; returns the wait in ms. An abort rejects
   * with the signal's reason (the reserved token stays spent, which only errs on the slow side).
   */
  async acquire(operation: string, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw signal.reason;
    const category = ECS_OPERATION_CATEGORY[operation];
    if (category === undefined) return 0;
    const due = this.bucket(category).reserve();
    if (due === 0) return 0;
    const waitMs = due + TIMER_MARGIN_MS;
    await sleep(this.clock, waitMs, signal);
    return waitMs;
  }

  /**
   * ECS throttled `operation`: its bucket there is empty whatever ours says (another client of the account,
   * or our reservation ran ahead of the request), so ours drops what it had on hand.
   */
  noteThrottled(operation: string): void {
    const category = ECS_OPERATION_CATEGORY[operation];
    if (category !== undefined) this.bucket(category).drain();
  }

  private bucket(category: EcsApiCategory): TokenBucket {
    let bucket = this.buckets.get(category);
    if (bucket === undefined) {
      const { burst, refillPerSecond } = this.settings[category];
      bucket = new TokenBucket(refillPerSecond, burst, this.clock);
      this.buckets.set(category, bucket);
    }
    return bucket;
  }
}
