/** Documents and contexts for the render unit tests. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type FargateServiceDocument,
  type FargateServiceSpec,
  parseDocuments,
  validateDocument,
} from "../../../src/crds/index.js";
import type { RenderContext } from "../../../src/render/index.js";

/** The repository's examples directory. */
export const EXAMPLES_DIR = fileURLToPath(new URL("../../../examples", import.meta.url));

/** Loads and validates the single FargateService of an example file. */
export function exampleService(file: string): FargateServiceDocument {
  const path = `${EXAMPLES_DIR}/${file}`;
  const parsed = parseDocuments(readFileSync(path, "utf8"), path);
  const first = parsed.documents[0];
  if (first === undefined) throw new Error(`${file}: no document`);
  const result = validateDocument(first.value);
  if (!result.ok || result.document.kind !== "FargateService")
    throw new Error(`${file}: not a valid FargateService`);
  return result.document;
}

/** Validates a FargateService spec (defaults applied) from a plain object. */
export function validSpec(spec: Record<string, unknown>, name = "web"): FargateServiceSpec {
  const result = validateDocument({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name },
    spec,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  if (result.document.kind !== "FargateService") throw new Error("not a FargateService");
  return result.document.spec;
}

/** A minimal valid spec: one container, one port. */
export function minimalSpec(): FargateServiceSpec {
  return validSpec({
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
    network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
  });
}

/** A render context with fixed identity. */
export function contextFor(
  name: string,
  namespace: string,
  extra: Partial<Pick<RenderContext, "namespaceDnsName" | "region">> = {},
): RenderContext {
  return {
    region: extra.region ?? "eu-west-1",
    accountId: "000000000000",
    ...(extra.namespaceDnsName === undefined ? {} : { namespaceDnsName: extra.namespaceDnsName }),
    metadata: { name, namespace, uid: "3f1c2b8e-0000-4000-8000-000000000001", generation: 4 },
  };
}
