/** The RenderContext of a FargateService pass. Pure. */
import type { RenderContext } from "../../render/index.js";
import type { FargateServiceRecord } from "./context.js";

/** The render context for `record` in `region`, with the namespace's DNS name once resolved. */
export function renderContextOf(
  record: FargateServiceRecord,
  region: string,
  namespaceDnsName: string | undefined,
): RenderContext {
  const { name, namespace, uid, generation, creationTimestamp } = record.metadata;
  return {
    region,
    metadata: {
      name,
      namespace,
      uid,
      generation,
      ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
    },
    ...(namespaceDnsName === undefined ? {} : { namespaceDnsName }),
  };
}
