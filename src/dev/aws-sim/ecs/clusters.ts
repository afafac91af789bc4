import { AwsApiError } from "../errors.js";
import type { Input, JsonObject } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { clusterShape } from "./shapes.js";
import type { EcsState } from "./state.js";
import { readEcsTags } from "./tagging.js";

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** CreateCluster, DescribeClusters, ListClusters, DeleteCluster. */
export function clusterHandlers(state: EcsState): HandlerTable {
  return {
    CreateCluster(input: Input) {
      const name = input.optStr("clusterName") ?? "default";
      if (!CLUSTER_NAME.test(name)) {
        throw new AwsApiError(
          "InvalidParameterException",
          "Cluster name can only contain letters, numbers, hyphens and underscores.",
        );
      }
      const cluster = state.createCluster(name, readEcsTags(input), input.optObjList("settings") ?? []);
      return { cluster: clusterShape(state, cluster, true) };
    },

    DescribeClusters(input: Input) {
      const refs = input.optStrList("clusters") ?? ["default"];
      if (refs.length > 100) throw input.invalid("clusters can have at most 100 items.");
      const withTags = (input.optStrList("include") ?? []).includes("TAGS");
      const clusters: JsonObject[] = [];
      const failures: JsonObject[] = [];
      for (const ref of refs) {
        const name = state.clusterName(ref);
        const cluster =
          state.clusters.get(name) ?? (state.ctx.mode === "lenient" ? state.cluster(name) : undefined);
        if (cluster === undefined) failures.push({ arn: state.arn(`cluster/${name}`), reason: "MISSING" });
        else clusters.push(clusterShape(state, cluster, withTags));
      }
      return { clusters, failures };
    },

    ListClusters(input: Input) {
      const arns = [...state.clusters.values()].filter((c) => c.status === "ACTIVE").map((c) => c.arn);
      const page = paginate(
        arns,
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { clusterArns: page.items, nextToken: page.nextToken };
    },

    DeleteCluster(input: Input) {
      const cluster = state.cluster(input.str("cluster"));
      const hasServices = [...state.services.values()].some(
        (s) => s.clusterName === cluster.name && s.status !== "INACTIVE",
      );
      if (hasServices) {
        throw new AwsApiError(
          "ClusterContainsServicesException",
          "The Cluster cannot be deleted while Services are active.",
        );
      }
      cluster.status = "INACTIVE";
      return { cluster: clusterShape(state, cluster, false) };
    },
  };
}
