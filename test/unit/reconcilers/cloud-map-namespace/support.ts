/** A bench for the CloudMapNamespace reconciler: the in-memory store and Cloud Map, one record, one pass at a time. */
import { ManualClock } from "../../../../src/clock.js";
import { API_VERSION, type Condition, resourceKey } from "../../../../src/crds/meta.js";
import { silentLogger } from "../../../../src/log.js";
import { cloudMapNamespaceReconciler } from "../../../../src/reconcilers/cloud-map-namespace/reconciler.js";
import { findCondition } from "../../../../src/reconcilers/conditions.js";
import { CreationTimestamps } from "../../../../src/runtime/creation-timestamps.js";
import type { KindReconciler } from "../../../../src/runtime/reconciler.js";
import type { ReconcileResult } from "../../../../src/runtime/result.js";
import { NotFoundError } from "../../../../src/store/errors.js";
import type { StoredResource } from "../../../../src/store/types.js";
import { FakeCloudMap } from "../../../support/fake-cloud-map.js";
import { FakeStore } from "../../../support/fake-store.js";

/** Name and namespace of the bench's record. */
export const NAME = "apps";
export const NS = "default";
export const DNS_NAME = "apps.internal";
export const VPC = "vpc-0a1b2c3d4e5f60718";

/** The bench. */
export class Bench {
  readonly clock = new ManualClock();
  readonly store = new FakeStore(() => this.clock.now());
  /** The controller's memory of creation timestamps, kept across passes as the runtime keeps it. */
  readonly creationTimestamps = new CreationTimestamps();
  readonly cloudMap = new FakeCloudMap();
  reconciler: KindReconciler = this.build();

  /** A fresh reconciler on the same store and Cloud Map (a controller restart). */
  restart(): void {
    this.reconciler = this.build();
  }

  /** Creates the record with a defaulted spec plus `spec` overrides. */
  async create(spec: Record<string, unknown> = {}): Promise<StoredResource> {
    return this.store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: NAME, namespace: NS },
      spec: { dnsName: DNS_NAME, vpcId: VPC, adopt: false, deletionPolicy: "Delete", ...spec },
    });
  }

  /** Changes the spec (generation rises). */
  async setSpec(spec: Record<string, unknown>): Promise<StoredResource> {
    const current = await this.read();
    if (current === undefined) throw new Error("no record");
    const { resource } = await this.store.apply({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: NAME, namespace: NS },
      spec: { ...current.spec, ...spec },
    });
    return resource;
  }

  /** Requests deletion. */
  async delete(): Promise<void> {
    await this.store.delete("CloudMapNamespace", NS, NAME);
  }

  /** One pass. */
  pass(signal: AbortSignal = new AbortController().signal): Promise<ReconcileResult> {
    return this.reconciler.reconcile(resourceKey("CloudMapNamespace", NS, NAME), signal, {
      log: silentLogger(),
      reconcileId: "test",
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps: this.creationTimestamps,
    });
  }

  /** The error a pass throws (fails the test when it resolves). */
  async failingPass(): Promise<unknown> {
    try {
      await this.pass();
    } catch (error) {
      return error;
    }
    throw new Error("expected the pass to fail");
  }

  /** The record, or undefined when it is gone. */
  async read(): Promise<StoredResource | undefined> {
    try {
      return await this.store.get("CloudMapNamespace", NS, NAME);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** The record's condition of `type`. */
  async condition(type: string): Promise<Condition | undefined> {
    const record = await this.read();
    return findCondition(record?.status?.conditions as Condition[] | undefined, type);
  }

  /** Runs passes to Ready: create, complete the operation, pass again. Returns the namespace id. */
  async createReady(spec: Record<string, unknown> = {}): Promise<string> {
    await this.create(spec);
    await this.pass();
    this.cloudMap.completeOperations();
    await this.pass();
    const id = (await this.read())?.status?.namespaceId;
    if (typeof id !== "string") throw new Error("the namespace did not become ready");
    return id;
  }

  private build(): KindReconciler {
    return cloudMapNamespaceReconciler({ store: this.store, cloudMap: this.cloudMap, clock: this.clock });
  }
}
