import type { Clock } from "../../clock.js";

/** Burst capacity and sustained refill rate of one token bucket (AWS's "bucket maximum capacity / refill rate"). */
export interface BucketSettings {
  /** Maximum tokens, i.e. the burst. */
  readonly burst: number;
  /** Tokens added per simulated second, i.e. the sustained rate. */
  readonly refillPerSecond: number;
}

/**
 * A token bucket on an injected clock. Starts full; refills continuously at `refillPerSecond × timeScale`
 * per clock second (timeScale = simulated seconds per clock second), never above the burst.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #settings: BucketSettings;
  readonly #timeScale: number;
  #tokens: number;
  #at: number;

  /** A full bucket with `settings`, refilled on `clock` at `timeScale` (default 1). */
  constructor(clock: Clock, settings: BucketSettings, timeScale = 1) {
    this.#clock = clock;
    this.#settings = settings;
    this.#timeScale = timeScale;
    this.#tokens = settings.burst;
    this.#at = clock.now();
  }

  /** Takes one token if there is a whole one; false means the call is throttled. */
  tryTake(): boolean {
    this.#refill();
    // A small epsilon absorbs float error so "advance exactly 1 s" yields exactly one token.
    if (this.#tokens + 1e-9 < 1) return false;
    this.#tokens = Math.max(0, this.#tokens - 1);
    return true;
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    const { burst, refillPerSecond } = this.#settings;
    this.#tokens = Math.min(burst, this.#tokens + elapsedSeconds * refillPerSecond * this.#timeScale);
  }
}

/** ECS API categories that share one token bucket, per account and Region. */
export const EcsThrottleCategory = {
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
/** One ECS throttling category. */
export type EcsThrottleCategory = (typeof EcsThrottleCategory)[keyof typeof EcsThrottleCategory];

/**
 * Default buckets, from "Request throttling for the Amazon ECS API" (ECS API Reference): cluster reads 50/20
 * (the page's own example), RegisterTaskDefinition 20/1, service writes 50/5, DescribeServices and other
 * service/task/task-definition reads 100/20. Categories the page does not pin down for our operations use
 * conservative values (cluster writes, deregistration 20/1; tagging 100/20). Override with `buckets`.
 */
export const DEFAULT_ECS_BUCKETS: Readonly<Record<EcsThrottleCategory, BucketSettings>> = {
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

/** Which bucket each simulated ECS operation draws from. */
export const ECS_OPERATION_CATEGORY: Readonly<Record<string, EcsThrottleCategory>> = {
  CreateCluster: "clusterWrite",
  DeleteCluster: "clusterWrite",
  DescribeClusters: "clusterRead",
  ListClusters: "clusterRead",
  CreateService: "serviceWrite",
  UpdateService: "serviceWrite",
  DeleteService: "serviceWrite",
  DescribeServices: "serviceRead",
  ListServices: "serviceRead",
  DescribeServiceDeployments: "serviceRead",
  ListServiceDeployments: "serviceRead",
  RegisterTaskDefinition: "taskDefinitionRegister",
  DeregisterTaskDefinition: "taskDefinitionDeregister",
  DescribeTaskDefinition: "taskDefinitionRead",
  ListTaskDefinitions: "taskDefinitionRead",
  ListTaskDefinitionFamilies: "taskDefinitionRead",
  DescribeTasks: "taskRead",
  ListTasks: "taskRead",
  TagResource: "tagging",
  UntagResource: "tagging",
  ListTagsForResource: "tagging",
};

/** Per-category ECS token buckets that can be switched off and on. */
export class EcsThrottler {
  readonly #clock: Clock;
  readonly #timeScale: number;
  readonly #settings: Record<EcsThrottleCategory, BucketSettings>;
  #buckets = new Map<EcsThrottleCategory, TokenBucket>();
  #enabled: boolean;

  /** Buckets on `clock` with overrides merged over {@link DEFAULT_ECS_BUCKETS}. */
  constructor(
    clock: Clock,
    options: {
      enabled: boolean;
      timeScale: number;
      buckets?: Partial<Record<EcsThrottleCategory, BucketSettings>>;
    },
  ) {
    this.#clock = clock;
    this.#timeScale = options.timeScale;
    this.#enabled = options.enabled;
    this.#settings = { ...DEFAULT_ECS_BUCKETS, ...options.buckets };
  }

  /** True when the operation may proceed; unknown operations and a disabled throttler never throttle. */
  admit(operation: string): boolean {
    if (!this.#enabled) return true;
    const category = ECS_OPERATION_CATEGORY[operation];
    if (category === undefined) return true;
    let bucket = this.#buckets.get(category);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#clock, this.#settings[category], this.#timeScale);
      this.#buckets.set(category, bucket);
    }
    return bucket.tryTake();
  }

  /** Turns throttling on or off; turning it on starts from full buckets. */
  setEnabled(enabled: boolean): void {
    if (enabled && !this.#enabled) this.#buckets = new Map();
    this.#enabled = enabled;
  }

  /** Whether throttling is on. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Refills every bucket (a fresh start for a benchmark phase). */
  reset(): void {
    this.#buckets = new Map();
  }

  /** The bucket settings in force, with the time scale (benchmarks print them next to their figures). */
  settings(): {
    enabled: boolean;
    timeScale: number;
    buckets: Record<EcsThrottleCategory, BucketSettings>;
    operations: Record<string, EcsThrottleCategory>;
  } {
    return {
      enabled: this.#enabled,
      timeScale: this.#timeScale,
      buckets: { ...this.#settings },
      operations: { ...ECS_OPERATION_CATEGORY },
    };
  }
}
