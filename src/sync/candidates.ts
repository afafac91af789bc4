/**
 * Which Cloud Map services are mirrored into Consul, and as what (DESIGN 6, 10). A FargateService's service (it
 * carries `fargate-operator:uid`) is mirrored exactly when its reconciler tagged it `consul-register=true`, under
 * the `consul-name` tag or its Cloud Map name, with the tags and meta it asked for; any other service (made by
 * hand, Terraform, …) follows the toConsul include/exclude. Services this engine created are never mirrored
 * back. The toConsul prefix is added in every case. Pure.
 */
import type { TagMap } from "../aws/types.js";
import { TagKey } from "../render/names.js";
import { decideName } from "./filters.js";
import { isOwnService } from "./names.js";
import type { SyncDirectionSettings } from "./types.js";

/** What the engine does with one Cloud Map service. */
export type Candidacy =
  | { kind: "unknown" }
  | { kind: "ours" }
  | { kind: "excluded" }
  | {
      kind: "candidate";
      consulName: string;
      tags: string[];
      meta: Record<string, string>;
      /** Port for instances whose attributes carry none (a FargateService's A-only Cloud Map service). */
      port?: number;
      /** Made by a FargateService: its instances are ECS tasks, which ECS deregisters only once stopped. */
      fargateService: boolean;
    };

const META_KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** Classifies one service by its name and tags (`undefined` tags: not read yet). */
export function classifyService(
  name: string,
  tags: TagMap | undefined,
  uid: string,
  settings: SyncDirectionSettings,
): Candidacy {
  if (tags === undefined) return { kind: "unknown" };
  if (isOwnService(tags, uid)) return { kind: "ours" };
  if (!settings.enabled) return { kind: "excluded" };
  if (tags[TagKey.Uid] !== undefined) {
    if (tags[TagKey.ConsulRegister] !== "true") return { kind: "excluded" };
    const meta: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) {
      const metaKey = key.startsWith(TagKey.ConsulMetaPrefix)
        ? key.slice(TagKey.ConsulMetaPrefix.length)
        : "";
      if (META_KEY.test(metaKey)) meta[metaKey] = value;
    }
    const consulTags = (tags[TagKey.ConsulTags] ?? "").split(/\s+/).filter((t) => t !== "");
    const base = tags[TagKey.ConsulName] || name;
    const port = Number(tags[TagKey.ConsulPort]);
    return {
      kind: "candidate",
      consulName: `${settings.prefix}${base}`,
      tags: consulTags,
      meta,
      ...(Number.isInteger(port) && port > 0 && port <= 65535 ? { port } : {}),
      fargateService: true,
    };
  }
  const decision = decideName(name, settings);
  if (decision.target === undefined) return { kind: "excluded" };
  return { kind: "candidate", consulName: decision.target, tags: [], meta: {}, fargateService: false };
}
