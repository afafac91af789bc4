/** Small pure helpers for the catalog: content comparison, ordering and Consul's flattened service rows. */

import type { NodeWire, ServiceNodeWire, ServiceWire } from "./wire.js";

type Indexed = { CreateIndex: number; ModifyIndex: number };

const withoutIndexes = (record: Indexed): string =>
  JSON.stringify({ ...record, CreateIndex: 0, ModifyIndex: 0 });

/** True when both exist and differ at most in their indexes (Consul skips such writes). */
export const sameContent = (a: Indexed | undefined, b: Indexed | undefined): boolean =>
  a !== undefined && b !== undefined && withoutIndexes(a) === withoutIndexes(b);

/** Byte-order comparison, as Consul's memdb orders names. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One `/v1/catalog/service/:name` row: node and service flattened, copied. */
export function toServiceNodeRow(node: NodeWire, service: ServiceWire): ServiceNodeWire {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: { ...node.TaggedAddresses },
    NodeMeta: { ...node.Meta },
    ServiceKind: service.Kind,
    ServiceID: service.ID,
    ServiceName: service.Service,
    ServiceTags: [...service.Tags],
    ServiceAddress: service.Address,
    ServiceTaggedAddresses: structuredClone(service.TaggedAddresses),
    ServiceWeights: { ...service.Weights },
    ServiceMeta: { ...service.Meta },
    ServicePort: service.Port,
    ServiceEnableTagOverride: service.EnableTagOverride,
    CreateIndex: service.CreateIndex,
    ModifyIndex: service.ModifyIndex,
  };
}
