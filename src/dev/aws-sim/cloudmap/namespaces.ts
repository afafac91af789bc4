import { cloudMapError } from "../errors.js";
import { field, type Input, isJsonObject, numField } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { checkVpc } from "../strict.js";
import { namespaceShape, namespaceSummaryShape } from "./shapes.js";
import type { CloudMapState, CmNamespace } from "./state.js";
import { readTags } from "./tags.js";

const DNS_NAME =
  /^(?=.{1,253}\.?$)([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?\.?$/;
const DEFAULT_SOA_TTL = 15;

/** CreatePrivateDnsNamespace, GetNamespace, ListNamespaces, DeleteNamespace. */
export function namespaceHandlers(state: CloudMapState): HandlerTable {
  const { ctx } = state;
  return {
    CreatePrivateDnsNamespace(input: Input) {
      const name = input.str("Name").replace(/\.$/, "");
      const vpc = input.str("Vpc");
      const creatorRequestId = input.optStr("CreatorRequestId");
      if (!DNS_NAME.test(name)) throw input.invalid(`Invalid namespace name: ${name}`);
      checkVpc(ctx, vpc);
      const tags = readTags(input);
      const description = input.optStr("Description");
      const soa = input.optObj("Properties")?.DnsProperties;
      const soaTtl = isJsonObject(soa) && isJsonObject(soa.SOA) ? numField(soa.SOA, "TTL") : undefined;
      const existing = [...state.namespaces.values()].find((ns) => ns.name === name && ns.vpc === vpc);
      if (existing !== undefined) {
        throw cloudMapError("NamespaceAlreadyExists", `Namespace ${name} already exists.`, {
          CreatorRequestId: existing.creatorRequestId,
          NamespaceId: existing.id,
        });
      }
      const pending = [...state.pendingNamespaces.values()].find((p) => p.name === name && p.vpc === vpc);
      if (pending !== undefined) {
        throw cloudMapError("DuplicateRequest", `A namespace named ${name} is already being created.`, {
          DuplicateOperationId: pending.operationId,
        });
      }
      const id = ctx.ids.cloudMapId("ns-");
      const op = state.submitOperation("CREATE_NAMESPACE", { NAMESPACE: id }, () => {
        state.pendingNamespaces.delete(op.id);
        const ns: CmNamespace = {
          id,
          arn: state.namespaceArn(id),
          name,
          vpc,
          hostedZoneId: ctx.ids.hostedZoneId(),
          createdAt: ctx.clock.now(),
          creatorRequestId,
          description,
          soaTtl: soaTtl ?? DEFAULT_SOA_TTL,
          tags,
        };
        state.namespaces.set(id, ns);
      });
      state.pendingNamespaces.set(op.id, { name, vpc, operationId: op.id, creatorRequestId });
      return { OperationId: op.id };
    },

    GetNamespace(input: Input) {
      return { Namespace: namespaceShape(state, state.namespace(input.str("Id"))) };
    },

    ListNamespaces(input: Input) {
      let list = [...state.namespaces.values()];
      for (const filter of input.optObjList("Filters") ?? []) {
        const name = field(filter, "Name");
        const condition = field(filter, "Condition") ?? "EQ";
        const values = Array.isArray(filter.Values) ? filter.Values.filter((v) => typeof v === "string") : [];
        const pick = (ns: CmNamespace): string =>
          name === "TYPE" ? "DNS_PRIVATE" : name === "RESOURCE_OWNER" ? ctx.accountId : ns.name;
        if (name === undefined || !["TYPE", "NAME", "HTTP_NAME", "RESOURCE_OWNER"].includes(name)) {
          throw input.invalid(`Invalid filter name: ${String(name)}`);
        }
        list = list.filter((ns) => {
          const value = pick(ns);
          if (condition === "BEGINS_WITH") return values.some((v) => value.startsWith(v));
          if (condition === "IN") return values.includes(value);
          return values.length > 0 && value === values[0];
        });
      }
      const page = paginate(
        list,
        { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return {
        Namespaces: page.items.map((ns) => namespaceSummaryShape(state, ns)),
        NextToken: page.nextToken,
      };
    },

    DeleteNamespace(input: Input) {
      const ns = state.namespace(input.str("Id"));
      if (state.servicesIn(ns.id).length > 0) {
        throw cloudMapError(
          "ResourceInUse",
          `Namespace ${ns.id} has associated services and can't be deleted.`,
        );
      }
      const op = state.submitOperation("DELETE_NAMESPACE", { NAMESPACE: ns.id }, () => {
        state.namespaces.delete(ns.id);
      });
      return { OperationId: op.id };
    },
  };
}
