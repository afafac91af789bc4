/**
 * The orphan sweep (DESIGN 11, "The table is the API"): a periodic leader-only task that finds AWS resources whose
 * ownership tags (uid, namespace and name) name a FargateService the table no longer holds — its ECS service, its
 * Cloud Map service with the instances in it, its owned task-definition revisions — and deletes them as the
 * record's deletion would have, or only reports them (`--orphan-sweep=report`). A resource tagged
 * `fargate-operator:deletion-policy: Retain` is left and reported once. Consul entries the catalog sync mirrored
 * go with their Cloud Map service (the engine deregisters the entries of a service that is gone at once).
 *
 * A record is never swept on the strength of a listing: right before anything is touched, the record is read
 * again with a consistent get, so one created a moment ago (not yet in the eventually consistent index) is safe.
 */
import type { ApplicationAutoScalingGateway } from "../../aws/application-autoscaling-shapes.js";
import { AwsNotFoundError, AwsResourceInUseError } from "../../aws/errors.js";
import type { CloudMapGateway, EcsGateway } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import type { OrphanSweepMode } from "../../config/controller.js";
import { resourceKey } from "../../crds/meta.js";
import type { Logger } from "../../log.js";
import type { ControllerMetrics } from "../../metrics.js";
import { ecsName, TagKey } from "../../render/index.js";
import type { LeaderTask } from "../../runtime/leader-tasks.js";
import type { Tombstones } from "../../runtime/tombstones.js";
import { InvalidItemError, NotFoundError } from "../../store/errors.js";
import type { ResourceStore } from "../../store/types.js";
import {
  findOwnedResources,
  type OwnedResources,
  type Owner,
  ownedRevisions,
  ownerKey,
  type SweepMemory,
} from "./find.js";

/** Resource label of `orphan_sweep_resources_total`. */
export const SweptResource = {
  EcsService: "ecs_service",
  TaskDefinition: "task_definition",
  CloudMapService: "cloud_map_service",
  CloudMapInstance: "cloud_map_instance",
} as const;

/** One of the SweptResource values. */
export type SweptResource = (typeof SweptResource)[keyof typeof SweptResource];

/** What the sweep needs. */
export interface OrphanSweepDeps {
  /** The real store (never the tombstone-aware one): only what the table holds counts. */
  store: ResourceStore;
  ecs: EcsGateway;
  cloudMap: CloudMapGateway;
  /**
   * Deregisters a swept service's scalable target before its scale to 0 (a live scaler would undo it); called only
   * for services tagged `fargate-operator:autoscaling`.
   */
  autoscaling?: Pick<ApplicationAutoScalingGateway, "deregisterTarget">;
  clock: Clock;
  log: Logger;
  metrics?: Pick<ControllerMetrics, "orphanSweepResources" | "orphanSweepRuns">;
  mode: OrphanSweepMode;
  /** This process's tombstones: a record whose cleanup one runs is left to it for `tombstoneGraceMs`. */
  tombstones?: Pick<Tombstones, "keptAt">;
  tombstoneGraceMs?: number;
}

/** What one run did, by `<resource> <arn>`. */
export interface SweepReport {
  /** Owners whose record the table does not hold. */
  orphanedOwners: string[];
  deleted: string[];
  reported: string[];
  retained: string[];
  /** Started but not finished (a Cloud Map service whose instances are still being deregistered). */
  pending: string[];
  failed: string[];
}

/** The sweep; one instance keeps what it reported (each resource once) and the Cloud Map tags it read. */
export class OrphanSweeper {
  private readonly reportedOnce = new Set<string>();
  private readonly memory: SweepMemory = { cloudMapTags: new Map(), revisionOwners: new Map() };

  constructor(private readonly deps: OrphanSweepDeps) {}

  /** One sweep. */
  async run(signal: AbortSignal): Promise<SweepReport> {
    const { deps } = this;
    const report: SweepReport = {
      orphanedOwners: [],
      deleted: [],
      reported: [],
      retained: [],
      pending: [],
      failed: [],
    };
    try {
      const live = new Map<string, string>();
      const liveFamilies = new Set<string>();
      for (const r of await deps.store.list("FargateService")) {
        live.set(`${r.metadata.namespace}/${r.metadata.name}`, r.metadata.uid);
        liveFamilies.add(ecsName(r.metadata));
      }
      const found = await findOwnedResources(deps.ecs, deps.cloudMap, this.memory, liveFamilies, signal);
      for (const resources of found.values()) {
        signal.throwIfAborted();
        await this.consider(resources, live, report, signal);
      }
      deps.metrics?.orphanSweepRuns.inc({ result: "ok" });
    } catch (error) {
      if (!signal.aborted) deps.metrics?.orphanSweepRuns.inc({ result: "error" });
      throw error;
    }
    const { orphanedOwners, deleted, reported, retained, pending, failed } = report;
    const level = orphanedOwners.length > 0 ? "info" : "debug";
    deps.log[level](
      {
        orphanedOwners: orphanedOwners.length,
        deleted: deleted.length,
        reported: reported.length,
        retained: retained.length,
        pending: pending.length,
        failed: failed.length,
        mode: deps.mode,
      },
      "orphan sweep done",
    );
    return report;
  }

  /** Decides about one owner's resources and acts. */
  private async consider(
    resources: OwnedResources,
    live: ReadonlyMap<string, string>,
    report: SweepReport,
    signal: AbortSignal,
  ): Promise<void> {
    const { owner } = resources;
    const key = resourceKey("FargateService", owner.namespace, owner.name);
    const log = this.deps.log.child({ kind: "FargateService", resource: key });
    const liveUid = live.get(`${owner.namespace}/${owner.name}`);
    if (liveUid !== undefined) {
      if (liveUid !== owner.uid && this.once(`incarnation:${ownerKey(owner)}`)) {
        log.warn(
          { taggedUid: owner.uid, recordUid: liveUid },
          "AWS resources tagged for this record carry another uid: left in place (the record's own passes report the clash)",
        );
      }
      return;
    }
    const keptAt = this.deps.tombstones?.keptAt(key);
    if (keptAt !== undefined && this.deps.clock.now() - keptAt < (this.deps.tombstoneGraceMs ?? 0)) return;
    if (await this.recordExists(owner)) return;
    report.orphanedOwners.push(ownerKey(owner));
    const revisions = await ownedRevisions(this.deps.ecs, owner, signal);
    const retained = await this.retained(resources, signal);
    const targets: Array<[SweptResource, string]> = [
      ...resources.ecsServices.map((s): [SweptResource, string] => [SweptResource.EcsService, s.arn]),
      ...resources.cloudMapServices.map((s): [SweptResource, string] => [
        SweptResource.CloudMapService,
        s.arn,
      ]),
      ...revisions.map((arn): [SweptResource, string] => [SweptResource.TaskDefinition, arn]),
    ];
    if (retained || this.deps.mode === "report") {
      const action = retained ? "retained" : "reported";
      for (const [resource, arn] of targets) {
        report[action].push(`${resource} ${arn}`);
        if (!this.once(`${action}:${arn}`)) continue;
        this.count(resource, action);
        log.info(
          { uid: owner.uid, resourceType: resource, arn },
          retained
            ? "orphaned AWS resource of a vanished record with deletionPolicy Retain: left in place"
            : "orphaned AWS resource of a vanished record: would delete it (--orphan-sweep=report)",
        );
      }
      return;
    }
    for (const service of resources.ecsServices) {
      await this.act(log, report, SweptResource.EcsService, service.arn, async () => {
        if (service.autoscaled) {
          const target = { cluster: service.cluster, service: service.name };
          await this.deps.autoscaling?.deregisterTarget(target, signal);
        }
        if (service.desiredCount > 0) {
          await this.deps.ecs.updateService(
            { cluster: service.cluster, service: service.name, desiredCount: 0 },
            signal,
          );
        }
        await this.deps.ecs.deleteService(service.cluster, service.name, signal);
        this.deps.ecs.forgetService(service.cluster, service.name);
        return "deleted";
      });
    }
    for (const service of resources.cloudMapServices) {
      await this.act(log, report, SweptResource.CloudMapService, service.arn, () =>
        this.deleteCloudMapService(service.id, log, signal),
      );
    }
    for (const arn of revisions) {
      await this.act(log, report, SweptResource.TaskDefinition, arn, async () => {
        await this.deps.ecs.deregisterTaskDefinition(arn, signal);
        return "deleted";
      });
    }
  }

  /** Deregisters the service's instances, then deletes it ("pending" while Cloud Map still holds instances). */
  private async deleteCloudMapService(
    serviceId: string,
    log: Logger,
    signal: AbortSignal,
  ): Promise<"deleted" | "pending"> {
    const { cloudMap } = this.deps;
    try {
      for (const instanceId of await cloudMap.listInstanceIds(serviceId, signal)) {
        await cloudMap.deregisterInstance(serviceId, instanceId, signal);
        this.count(SweptResource.CloudMapInstance, "deleted");
        log.info(
          { resourceType: SweptResource.CloudMapInstance, serviceId, instanceId },
          "orphan deregistered",
        );
      }
      await cloudMap.deleteService(serviceId, signal);
      return "deleted";
    } catch (error) {
      if (error instanceof AwsNotFoundError) return "deleted";
      if (error instanceof AwsResourceInUseError) return "pending";
      throw error;
    }
  }

  /** Runs one deletion, logging and counting its outcome; a failure is reported and the sweep goes on. */
  private async act(
    log: Logger,
    report: SweepReport,
    resource: SweptResource,
    arn: string,
    deletion: () => Promise<"deleted" | "pending">,
  ): Promise<void> {
    try {
      const outcome = await deletion();
      report[outcome].push(`${resource} ${arn}`);
      if (outcome === "deleted") {
        this.count(resource, "deleted");
        log.info({ resourceType: resource, arn }, "orphaned AWS resource of a vanished record deleted");
      } else log.info({ resourceType: resource, arn }, "orphan deletion started; the next sweep finishes it");
    } catch (error) {
      report.failed.push(`${resource} ${arn}`);
      this.count(resource, "failed");
      log.warn({ err: error, resourceType: resource, arn }, "could not delete an orphaned AWS resource");
    }
  }

  /** True when the owner's resources say Retain (fresh Cloud Map tags: the policy may have changed). */
  private async retained(resources: OwnedResources, signal: AbortSignal): Promise<boolean> {
    if (resources.ecsServices.some((s) => s.policy === "Retain")) return true;
    for (const service of resources.cloudMapServices) {
      try {
        const tags = await this.deps.cloudMap.listTags(service.arn, signal);
        if (tags[TagKey.DeletionPolicy] === "Retain") return true;
      } catch (error) {
        if (!(error instanceof AwsNotFoundError)) throw error;
      }
    }
    return false;
  }

  /**
   * A consistent read of the record at the owner's key: any item there is live (never swept), an invalid one too
   * (a mistyped `kind` must not cost a running service).
   */
  private async recordExists(owner: Owner): Promise<boolean> {
    try {
      await this.deps.store.get("FargateService", owner.namespace, owner.name);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      if (error instanceof InvalidItemError) return true;
      throw error;
    }
  }

  private once(what: string): boolean {
    if (this.reportedOnce.has(what)) return false;
    this.reportedOnce.add(what);
    return true;
  }

  private count(resource: SweptResource, action: string): void {
    this.deps.metrics?.orphanSweepResources.inc({ resource, action });
  }
}

/** The sweep as a leader task every `intervalMs`. */
export function orphanSweepTask(sweeper: OrphanSweeper, intervalMs: number): LeaderTask {
  return {
    name: "orphan sweep",
    intervalMs,
    run: async (signal) => {
      await sweeper.run(signal);
    },
  };
}
