/** The reconciler of every kind, wired to the store, the AWS gateways and the catalog sync engine. */
import type { SecretReader } from "../aws/secrets.js";
import type { AwsGateways } from "../aws/types.js";
import type { Clock } from "../clock.js";
import type { ConsulClient, ConsulClientOptions } from "../consul/client.js";
import type { LeaseBackend } from "../runtime/lease-backend.js";
import type { KindReconciler } from "../runtime/reconciler.js";
import type { ResourceStore } from "../store/types.js";
import type { SyncOwnerBackend } from "./catalog-sync/namespace-owner.js";
import { catalogSyncReconciler, NO_POLICIES } from "./catalog-sync/reconciler.js";
import type { SyncEngineRuntime } from "./catalog-sync/run-sync.js";
import type { CatalogSyncReconcilerSettings } from "./catalog-sync/steps.js";
import { cloudMapNamespaceReconciler } from "./cloud-map-namespace/reconciler.js";
import type { FargateServiceSettings } from "./fargate-service/context.js";
import { fargateServiceReconciler } from "./fargate-service/reconciler.js";
import type { PolicyLookup } from "./policy/lookup.js";
import { namespacePolicyReconciler } from "./policy/reconciler.js";

/** What the CatalogSync reconciler needs besides the store, Cloud Map and the clock. */
export interface CatalogSyncDeps {
  settings: CatalogSyncReconcilerSettings;
  /** The engine (src/sync): `createSyncEngine` and `syncLeaseName`. */
  runtime: SyncEngineRuntime;
  /** Storage of the namespaces' sync leases (the store's leases). */
  leases?: LeaseBackend;
  /** Reads `tokenFrom.secretArn`. */
  secrets?: Pick<SecretReader, "readSecretString">;
  createConsul?: (options: ConsulClientOptions) => ConsulClient;
  /** Which CatalogSync owns each Cloud Map namespace (the store's owner items; in memory when omitted). */
  owners?: SyncOwnerBackend;
  /** The NamespacePolicy lookup; none governs anything when omitted. */
  policies?: PolicyLookup;
}

/** What every reconciler is built from. */
export interface ReconcilerDeps {
  store: ResourceStore;
  /** Application Auto Scaling is needed only by FargateServices with spec.autoscaling. */
  aws: Pick<AwsGateways, "ecs" | "cloudMap"> & Partial<Pick<AwsGateways, "applicationAutoScaling">>;
  clock: Clock;
  fargateService: FargateServiceSettings;
  /** Without it no CatalogSync reconciler runs (benchmarks that exercise FargateService alone). */
  catalogSync?: CatalogSyncDeps;
  /**
   * NamespacePolicy enforcement: the lookup every reconciler asks before any AWS call, and the policy namespace
   * (whose NamespacePolicy records this adds a reconciler for). Without it every record is allowed.
   */
  policies?: { lookup: PolicyLookup; policyNamespace: string };
}

/** The CatalogSync reconciler, when its dependencies are given. */
function catalogSyncOf(deps: ReconcilerDeps): KindReconciler[] {
  const sync = deps.catalogSync;
  if (sync === undefined) return [];
  return [
    catalogSyncReconciler({
      store: deps.store,
      cloudMap: deps.aws.cloudMap,
      clock: deps.clock,
      settings: sync.settings,
      runtime: sync.runtime,
      leases: sync.leases,
      secrets: sync.secrets,
      createConsul: sync.createConsul,
      owners: sync.owners,
      policies: sync.policies ?? deps.policies?.lookup ?? NO_POLICIES,
    }),
  ];
}

/**
 * The FargateService and CloudMapNamespace reconcilers, CatalogSync's when its dependencies are given, and
 * NamespacePolicy's (first, so its cache lists before the kinds it governs) when policies are.
 */
export function buildReconcilers(deps: ReconcilerDeps): KindReconciler[] {
  const policies = deps.policies === undefined ? {} : { policies: deps.policies.lookup };
  return [
    ...(deps.policies === undefined
      ? []
      : [
          namespacePolicyReconciler({
            store: deps.store,
            clock: deps.clock,
            policyNamespace: deps.policies.policyNamespace,
          }),
        ]),
    fargateServiceReconciler({
      store: deps.store,
      ecs: deps.aws.ecs,
      cloudMap: deps.aws.cloudMap,
      ...(deps.aws.applicationAutoScaling === undefined
        ? {}
        : { autoscaling: deps.aws.applicationAutoScaling }),
      clock: deps.clock,
      settings: deps.fargateService,
      ...policies,
    }),
    cloudMapNamespaceReconciler({
      store: deps.store,
      cloudMap: deps.aws.cloudMap,
      clock: deps.clock,
      ...policies,
    }),
    ...catalogSyncOf(deps),
  ];
}
