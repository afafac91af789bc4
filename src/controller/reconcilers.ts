/** The reconciler of every kind, wired to the store and the AWS gateways. */
import type { AwsGateways } from "../aws/types.js";
import type { Clock } from "../clock.js";
import type { ResourceStore } from "../store/types.js";
import { cloudMapNamespaceReconciler } from "./cloud-map-namespace/reconciler.js";
import type { FargateServiceSettings } from "./fargate-service/context.js";
import { fargateServiceReconciler } from "./fargate-service/reconciler.js";
import { placeholderReconciler } from "./placeholder-reconciler.js";
import type { KindReconciler } from "./reconciler.js";

/** What every reconciler is built from. */
export interface ReconcilerDeps {
  store: ResourceStore;
  aws: Pick<AwsGateways, "ecs" | "cloudMap">;
  clock: Clock;
  fargateService: FargateServiceSettings;
}

/** FargateService and CloudMapNamespace reconcilers; CatalogSync keeps the validate-and-report placeholder until the catalog sync lands. */
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
    placeholderReconciler("CatalogSync", deps.store, deps.clock),
  ];
}
