/** Prometheus metrics for the controller, in one prom-client registry per manager (tests run several). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Outcome label of `aws_api_calls_total`. */
export const AwsCallOutcome = {
  Success: "success",
  Throttled: "throttled",
  ClientError: "client_error",
  ServerError: "server_error",
  NetworkError: "network_error",
} as const;

/** One of the AwsCallOutcome values. */
export type AwsCallOutcome = (typeof AwsCallOutcome)[keyof typeof AwsCallOutcome];

/** Result label of `reconcile_total`. */
export const ReconcileOutcome = {
  Done: "done",
  Requeue: "requeue",
  Conflict: "conflict",
  TemporaryError: "temporary_error",
  PermanentError: "permanent_error",
  Timeout: "timeout",
  Aborted: "aborted",
  Skipped: "skipped",
} as const;

/** One of the ReconcileOutcome values. */
export type ReconcileOutcome = (typeof ReconcileOutcome)[keyof typeof ReconcileOutcome];

/** Counts one AWS API call; adapters receive this rather than the whole metrics object. */
export type AwsCallRecorder = (service: string, operation: string, outcome: AwsCallOutcome) => void;

/** The controller's metrics and the registry that serves them. */
export interface ControllerMetrics {
  registry: Registry;
  reconcileTotal: Counter<"kind" | "result">;
  reconcileDuration: Histogram<"kind">;
  workqueueDepth: Gauge<"kind">;
  workqueueLatency: Histogram<"kind">;
  awsApiCalls: Counter<"service" | "operation" | "outcome">;
  leader: Gauge;
  watchLag: Gauge;
  /** Records that left the table before their cleanup finished, by kind and event (see runtime/tombstones.ts). */
  vanishedRecords: Counter<"kind" | "event">;
  /** AWS resources the orphan sweep found without a record, by resource type and what it did. */
  orphanSweepResources: Counter<"resource" | "action">;
  /** Orphan sweep runs by result (`ok`, `error`). */
  orphanSweepRuns: Counter<"result">;
  /** Events the controller recorded (before dedupe), by type and reason. */
  events: Counter<"type" | "reason">;
  /** Event item writes by result (`created`, `updated` a series, `failed`, `dropped` with the buffer full). */
  eventWrites: Counter<"result">;
  /** Increments `aws_api_calls_total`. */
  recordAwsCall: AwsCallRecorder;
}

/** Creates the metrics in a fresh registry (plus Node process metrics when asked). */
export function createMetrics(options: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.processMetrics === true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const awsApiCalls = new Counter({
    name: "aws_api_calls_total",
    help: "AWS API calls made by the adapters, by service, operation and outcome.",
    labelNames: ["service", "operation", "outcome"] as const,
    registers,
  });
  return {
    registry,
    reconcileTotal: new Counter({
      name: "reconcile_total",
      help: "Reconcile passes by kind and result.",
      labelNames: ["kind", "result"] as const,
      registers,
    }),
    reconcileDuration: new Histogram({
      name: "reconcile_duration_seconds",
      help: "Duration of reconcile passes.",
      labelNames: ["kind"] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    workqueueDepth: new Gauge({
      name: "workqueue_depth",
      help: "Keys waiting in the work queue.",
      labelNames: ["kind"] as const,
      registers,
    }),
    workqueueLatency: new Histogram({
      name: "workqueue_latency_seconds",
      help: "Time a key waits in the work queue before a worker takes it.",
      labelNames: ["kind"] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
      registers,
    }),
    awsApiCalls,
    leader: new Gauge({
      name: "leader",
      help: "1 while this process holds the controller lease, else 0.",
      registers,
    }),
    watchLag: new Gauge({
      name: "watch_lag_seconds",
      help: "Age of the last change the watch delivered, when it was delivered.",
      registers,
    }),
    vanishedRecords: new Counter({
      name: "vanished_records_total",
      help: "Records that left the table before their cleanup finished, by kind and event (vanished, cleaned_up, retained, reappeared, evicted).",
      labelNames: ["kind", "event"] as const,
      registers,
    }),
    orphanSweepResources: new Counter({
      name: "orphan_sweep_resources_total",
      help: "AWS resources whose ownership tags name no record in the table, by resource and action (deleted, reported, retained, failed).",
      labelNames: ["resource", "action"] as const,
      registers,
    }),
    orphanSweepRuns: new Counter({
      name: "orphan_sweep_runs_total",
      help: "Orphan sweep runs by result (ok, error).",
      labelNames: ["result"] as const,
      registers,
    }),
    events: new Counter({
      name: "events_total",
      help: "Events recorded for records (before repeats fold into a series), by type and reason.",
      labelNames: ["type", "reason"] as const,
      registers,
    }),
    eventWrites: new Counter({
      name: "event_writes_total",
      help: "Event item writes by result (created, updated, failed, dropped); events are best-effort.",
      labelNames: ["result"] as const,
      registers,
    }),
    recordAwsCall: (service, operation, outcome) => awsApiCalls.inc({ service, operation, outcome }),
  };
}
