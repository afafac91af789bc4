/** The orphan sweep's wiring: the leader task `fargatectl controller` runs, from its settings. */
import type { AwsGateways } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import type { OrphanSweepMode } from "../../config/controller.js";
import type { Logger } from "../../log.js";
import type { ControllerMetrics } from "../../metrics.js";
import type { LeaderTask } from "../../runtime/leader-tasks.js";
import type { Tombstones } from "../../runtime/tombstones.js";
import type { ResourceStore } from "../../store/types.js";
import { OrphanSweeper, orphanSweepTask } from "./sweep.js";

export { OrphanSweeper, orphanSweepTask, type SweepReport, SweptResource } from "./sweep.js";

/** The sweep's leader task, or none when the interval is 0 or no AWS gateways were built. */
export function orphanSweepTasks(options: {
  intervalMs: number;
  mode: OrphanSweepMode;
  store: ResourceStore;
  aws:
    | (Pick<AwsGateways, "ecs" | "cloudMap"> & Partial<Pick<AwsGateways, "applicationAutoScaling">>)
    | undefined;
  clock: Clock;
  log: Logger;
  metrics: ControllerMetrics;
  tombstones: Tombstones;
}): LeaderTask[] {
  const { aws, intervalMs } = options;
  if (aws === undefined || intervalMs <= 0) return [];
  const sweeper = new OrphanSweeper({
    store: options.store,
    ecs: aws.ecs,
    cloudMap: aws.cloudMap,
    ...(aws.applicationAutoScaling === undefined ? {} : { autoscaling: aws.applicationAutoScaling }),
    clock: options.clock,
    log: options.log.child({ component: "orphan-sweep" }),
    metrics: options.metrics,
    mode: options.mode,
    tombstones: options.tombstones,
    // A record whose cleanup a tombstone of this process runs is left to it for one interval.
    tombstoneGraceMs: intervalMs,
  });
  return [orphanSweepTask(sweeper, intervalMs)];
}
