/**
 * The CatalogSync machine's I/O steps. Each is idempotent: the engine registry compares configuration hashes,
 * the child is applied (unchanged writes nothing) and found again by its deterministic name, the finalizer add
 * is a no-op when present, and deletion steps report progress until everything is gone.
 */
import { createHash } from "node:crypto";
import type { SecretReader } from "../../aws/secrets.js";
import type { CloudMapGateway } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import { ConsulClient, type ConsulClientOptions } from "../../consul/client.js";
import type { CatalogSyncStatus } from "../../crds/catalog-sync.js";
import { type CloudMapNamespaceStatus, ConditionStatus } from "../../crds/index.js";
import type { Logger } from "../../log.js";
import { PermanentError } from "../../runtime/errors.js";
import type { LeaseBackend } from "../../runtime/lease-backend.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { SyncConfigError } from "../../sync/errors.js";
import { ConditionType, findCondition } from "../conditions.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import type { PolicyLookup } from "../policy/lookup.js";
import { governingOf, resolveTls, resolveToken, resolveTokenSource } from "./access.js";
import { cleanUpSyncedState } from "./cleanup.js";
import type {
  CatalogSyncRecord,
  CatalogSyncSettings,
  EnsuredEngine,
  SyncDeletionProgress,
  SyncNamespaceResolution,
} from "./context.js";
import { type ConsulCredentialSettings, planConsulConnection } from "./credentials.js";
import { engineConfigOf } from "./engine-config.js";
import type { SyncEngineRegistry } from "./engine-registry.js";
import type { SyncOwnerBackend } from "./namespace-owner.js";
import { INSECURE_TLS_WARNING } from "./report-conditions.js";
import { type SyncEngineRuntime, startSync } from "./run-sync.js";

/** The reconciler's tunables and the controller's Consul settings. */
export interface CatalogSyncReconcilerSettings extends CatalogSyncSettings {
  consul: ConsulCredentialSettings & {
    /** The controller's own token (never logged). */
    defaultToken?: string | undefined;
    /** Values of the allow-listed variables, read once at start. */
    tokenVariables: ReadonlyMap<string, string>;
  };
  /** This project's image, for placement: task. */
  syncImage: string;
  /** Table and region a sync task writes its lease and reports to. */
  table: string;
  region: string;
  /** This controller's identity (engines hold the namespace lease as `<identity>/<uid>`). */
  identity: string;
  lease: { durationMs: number; heartbeatMs: number };
  /** Least time between status writes that only move sync times. */
  statusHeartbeatMs: number;
}

/** What the steps need from outside. */
export interface CatalogSyncStepDeps {
  store: ResourceStore;
  cloudMap: CloudMapGateway;
  clock: Clock;
  log: Logger;
  settings: CatalogSyncReconcilerSettings;
  registry: SyncEngineRegistry;
  runtime: SyncEngineRuntime;
  /** The namespace sync lease's storage; engines run without a lease when omitted. */
  leases?: LeaseBackend | undefined;
  /** Reads `tokenFrom.secretArn`; such a spec is refused when omitted. */
  secrets?: Pick<SecretReader, "readSecretString"> | undefined;
  createConsul?: ((options: ConsulClientOptions) => ConsulClient) | undefined;
  /** Which CatalogSync owns each Cloud Map namespace (the store's owner items). */
  owners: SyncOwnerBackend;
  /** The NamespacePolicy that governs a metadata.namespace (none: everything allowed). */
  policies: PolicyLookup;
}

const CONSUL_CLEANUP_TIMEOUT_MS = 10_000;

/** Reads the referenced CloudMapNamespace record: Ready with an id, or why not. */
export async function resolveSyncNamespace(
  deps: Pick<CatalogSyncStepDeps, "store">,
  record: CatalogSyncRecord,
): Promise<SyncNamespaceResolution> {
  const ref = record.spec.cloudMapNamespaceRef;
  const namespace = ref.namespace ?? record.metadata.namespace;
  let found: StoredResource;
  try {
    found = await deps.store.get("CloudMapNamespace", namespace, ref.name);
  } catch (error) {
    if (error instanceof NotFoundError) {
      return { ready: false, message: `CloudMapNamespace ${namespace}/${ref.name} does not exist` };
    }
    throw error;
  }
  if (found.metadata.deletionTimestamp !== undefined) {
    return { ready: false, message: `CloudMapNamespace ${namespace}/${ref.name} is being deleted` };
  }
  const status = (found.status ?? {}) as CloudMapNamespaceStatus;
  const ready = findCondition(status.conditions, ConditionType.Ready);
  if (status.namespaceId === undefined || ready?.status !== ConditionStatus.True) {
    return {
      ready: false,
      message: `CloudMapNamespace ${namespace}/${ref.name} is not Ready yet${ready === undefined ? "" : ` (${ready.reason}: ${ready.message})`}`,
    };
  }
  return { ready: true, namespaceId: status.namespaceId, dnsName: String(found.spec.dnsName) };
}

/** The hash an engine's configuration is known by (token source, never the token). */
function configHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

/** Makes this record's engine run here with its current configuration (started, restarted or left alone). */
export async function ensureEngine(
  deps: CatalogSyncStepDeps,
  record: CatalogSyncRecord,
  namespace: { namespaceId: string; dnsName: string },
  signal: AbortSignal,
): Promise<EnsuredEngine> {
  const { metadata, spec } = record;
  const plan = planConsulConnection(spec, deps.settings.consul, governingOf(deps, record));
  const config = engineConfigOf(metadata, spec, namespace);
  const hash = configHash({
    config,
    address: plan.address,
    datacenter: plan.datacenter,
    token: plan.token,
    tls: plan.tls,
  });
  const log = deps.log.child({ catalogSync: `${metadata.namespace}/${metadata.name}` });
  const action = await deps.registry.ensure(metadata.uid, hash, metadata.generation, async () => {
    const token = await resolveTokenSource({ ...deps, log }, plan, signal);
    const tls = await resolveTls(deps, plan, signal);
    signal.throwIfAborted();
    if (tls?.insecureSkipVerify === true) log.warn({ address: plan.address }, INSECURE_TLS_WARNING);
    const started = await startSync({
      config,
      consul: { address: plan.address, token, datacenter: plan.datacenter, tls },
      cloudMap: deps.cloudMap,
      clock: deps.clock,
      log,
      runtime: deps.runtime,
      lease:
        deps.leases === undefined
          ? undefined
          : {
              backend: deps.leases,
              identity: `${deps.settings.identity}/${metadata.uid}`,
              durationMs: deps.settings.lease.durationMs,
              heartbeatMs: deps.settings.lease.heartbeatMs,
            },
      status: {
        store: deps.store,
        generation: metadata.generation,
        spec,
        heartbeatMs: deps.settings.statusHeartbeatMs,
      },
      createConsul: deps.createConsul,
    }).catch((error: unknown) => {
      if (error instanceof SyncConfigError)
        throw new PermanentError("InvalidSpec", error.message, { cause: error });
      throw error;
    });
    log.info({ namespaceId: namespace.namespaceId, address: plan.address }, "sync engine started");
    return started;
  });
  // A pass aborted while the engine started (lost leadership) must not leave it running.
  if (signal.aborted) {
    await deps.registry.stop(metadata.uid);
    signal.throwIfAborted();
  }
  return { action };
}

/** Stops this record's engine, if one runs here. */
export async function stopEngine(deps: CatalogSyncStepDeps, record: CatalogSyncRecord): Promise<void> {
  if (await deps.registry.stop(record.metadata.uid)) {
    deps.log.info(
      { catalogSync: `${record.metadata.namespace}/${record.metadata.name}` },
      "sync engine stopped",
    );
  }
}

/**
 * Removes what the engine created (its Consul registrations and Cloud Map instances and services, found by the
 * record's uid), on deletion or when the record withdraws (refused, or not the namespace's owner). consul-aws
 * leaves nothing we can recognise. The Consul side is left alone when the rules refuse the connection now (a
 * token never goes where the policy does not allow), and tried once with placement: task or on withdrawal (the
 * controller may not reach that Consul); the Cloud Map side must succeed.
 */
export async function cleanUp(
  deps: CatalogSyncStepDeps,
  record: CatalogSyncRecord,
  signal: AbortSignal,
  mode: "delete" | "withdraw" = "delete",
): Promise<SyncDeletionProgress> {
  const { metadata, spec } = record;
  const status: CatalogSyncStatus = record.status;
  const namespaceId = status.namespaceId;
  if (namespaceId === undefined)
    return { complete: true, message: "the sync never ran: nothing to clean up" };
  if (spec.placement === "task" && spec.task?.engine === "consul-aws") {
    return { complete: true, message: "consul-aws leaves entries this controller cannot recognise" };
  }
  const bestEffort = spec.placement === "task" || mode === "withdraw";
  let consul: ConsulClient | undefined;
  try {
    const plan = planConsulConnection(spec, deps.settings.consul, governingOf(deps, record));
    const token = await resolveToken(deps, plan, signal);
    const tls = await resolveTls(deps, plan, signal);
    consul = (deps.createConsul ?? ((o) => new ConsulClient(o)))({
      address: plan.address,
      ...(token === undefined ? {} : { token }),
      ...(tls === undefined ? {} : { tls }),
      ...(plan.datacenter === undefined ? {} : { datacenter: plan.datacenter }),
      requestTimeoutMs: CONSUL_CLEANUP_TIMEOUT_MS,
    });
  } catch (error) {
    if (!bestEffort && !(error instanceof PermanentError)) throw error;
    deps.log.warn({ err: error }, "not cleaning up the sync's Consul entries; they stay");
  }
  try {
    return await cleanUpSyncedState(
      {
        cloudMap: deps.cloudMap,
        consul,
        consulBestEffort: bestEffort,
        log: deps.log,
      },
      { namespaceId, uid: metadata.uid },
      signal,
    );
  } finally {
    consul?.close();
  }
}

/** Adds the controller's finalizer before anything is started; a no-op when present. */
export async function addFinalizer(
  deps: Pick<CatalogSyncStepDeps, "store">,
  holder: { current: StoredResource },
): Promise<void> {
  const m = holder.current.metadata;
  if (m.finalizers.includes(CONTROLLER_FINALIZER)) return;
  holder.current = await deps.store.addFinalizer(
    "CatalogSync",
    m.namespace,
    m.name,
    CONTROLLER_FINALIZER,
    m.resourceVersion,
  );
}
