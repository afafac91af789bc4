/** The reconciler of every kind, wired to the store, the AWS gateways and the catalog sync engine. */
import type { SecretReader } from "../aws/secrets.js";
import type { AwsGateways } from "../aws/types.js";
import type { Clock } from "../clock.js";
import type { ConsulClient, ConsulClientOptions } from "../consul/client.js";
import type { ResourceStore } from "../store/types.js";
import { catalogSyncReconciler } from "./catalog-sync/reconciler.js";
import type { SyncEngineRuntime } from "./catalog-sync/run-sync.js";
import type { CatalogSyncReconcilerSettings } from "./catalog-sync/steps.js";
import { cloudMapNamespaceReconciler } from "./cloud-map-namespace/reconciler.js";
import type { FargateServiceSettings } from "./fargate-service/context.js";
import { fargateServiceReconciler } from "./fargate-service/reconciler.js";
import type { LeaseBackend } from "./lease-backend.js";
import { placeholderReconciler } from "./placeholder-reconciler.js";
import type { KindReconciler } from "./reconciler.js";

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
}

/** What every reconciler is built from. */
export interface ReconcilerDeps {
  store: ResourceStore;
  aws: Pick<AwsGateways, "ecs" | "cloudMap">;
  clock: Clock;
  fargateService: FargateServiceSettings;
  /** Without it CatalogSync records are only validated and reported (the validate-and-report placeholder). */
  catalogSync?: CatalogSyncDeps;
}

/** The CatalogSync reconciler, or the placeholder when no catalog sync dependencies are given. */
function catalogSyncOf(deps: ReconcilerDeps): KindReconciler {
  const sync = deps.catalogSync;
  if (sync === undefined) return placeholderReconciler("CatalogSync", deps.store, deps.clock);
  return catalogSyncReconciler({
    store: deps.store,
    cloudMap: deps.aws.cloudMap,
    clock: deps.clock,
    settings: sync.settings,
    runtime: sync.runtime,
    leases: sync.leases,
    secrets: sync.secrets,
    createConsul: sync.createConsul,
  });
}

/** The FargateService, CloudMapNamespace and CatalogSync reconcilers. */
export function buildReconcilers(deps: ReconcilerDeps): KindReconciler[] {
  return [
    fargateServiceReconciler({
      store: deps.store,
      ecs: deps.aws.ecs,
      cloudMap: deps.aws.cloudMap,
      clock: deps.clock,
      settings: deps.fargateService,
    }),
    cloudMapNamespaceReconciler({ store: deps.store, cloudMap: deps.aws.cloudMap, clock: deps.clock }),
    catalogSyncOf(deps),
  ];
}
