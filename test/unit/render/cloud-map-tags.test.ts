/** The Consul mirror's instructions on a FargateService's Cloud Map service (read by the CatalogSync engine). */
import { describe, expect, it } from "vitest";
import { RenderError, renderCloudMapService, renderCloudMapServiceTags } from "../../../src/render/index.js";
import { contextFor, validSpec } from "./fixtures.js";

function spec(discovery: Record<string, unknown>) {
  return validSpec({
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 8080 }] }],
    network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    discovery: { cloudMap: { namespaceRef: { name: "apps" } }, ...discovery },
  });
}

const OWNER = {
  "fargate-operator:uid": "3f1c2b8e-0000-4000-8000-000000000001",
  "fargate-operator:namespace": "default",
  "fargate-operator:name": "web",
  "fargate-operator:deletion-policy": "Delete",
};

describe("renderCloudMapServiceTags", () => {
  it("carries register, name, tags and one tag per meta entry with consul.register", () => {
    const s = spec({
      consul: {
        register: true,
        serviceName: "web-api",
        tags: ["v1", "blue"],
        meta: { team: "payments", tier: "1" },
      },
    });
    expect(renderCloudMapServiceTags(s, contextFor("web", "default"))).toEqual({
      ...OWNER,
      "fargate-operator:consul-register": "true",
      "fargate-operator:consul-name": "web-api",
      "fargate-operator:consul-tags": "v1 blue",
      "fargate-operator:consul-port": "8080",
      "fargate-operator:consul-meta.team": "payments",
      "fargate-operator:consul-meta.tier": "1",
    });
  });

  it("defaults the Consul name to the Cloud Map name and leaves empty tags out", () => {
    const tags = renderCloudMapServiceTags(
      spec({ consul: { register: true } }),
      contextFor("web", "default"),
    );
    expect(tags).toEqual({
      ...OWNER,
      "fargate-operator:consul-register": "true",
      "fargate-operator:consul-name": "web",
      "fargate-operator:consul-port": "8080",
    });
  });

  it("gives Consul the cloudMap.port when set (ECS records no port for A-only services)", () => {
    const s = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [
        { name: "web", image: "web:1", ports: [{ containerPort: 8080 }, { containerPort: 9090 }] },
      ],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      discovery: { cloudMap: { namespaceRef: { name: "apps" }, port: 9090 }, consul: { register: true } },
    });
    expect(renderCloudMapServiceTags(s, contextFor("web", "default"))["fargate-operator:consul-port"]).toBe(
      "9090",
    );
  });

  it("names the deletion policy, so a sweep after a restart knows it", () => {
    const retained = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "web:1" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      discovery: { cloudMap: { namespaceRef: { name: "apps" } } },
      deletionPolicy: "Retain",
    });
    expect(renderCloudMapServiceTags(retained, contextFor("web", "default"))).toEqual({
      ...OWNER,
      "fargate-operator:deletion-policy": "Retain",
    });
  });

  it("has only the ownership and deletion-policy tags without consul.register", () => {
    expect(renderCloudMapServiceTags(spec({}), contextFor("web", "default"))).toEqual(OWNER);
    expect(
      renderCloudMapServiceTags(
        spec({ consul: { register: false, tags: ["x"] } }),
        contextFor("web", "default"),
      ),
    ).toEqual(OWNER);
  });

  it("puts them on the CreateService input", () => {
    const input = renderCloudMapService(
      spec({ consul: { register: true } }),
      contextFor("web", "default"),
      "ns-1",
    );
    expect(input.Tags).toContainEqual({ Key: "fargate-operator:consul-register", Value: "true" });
  });

  it("refuses a value Cloud Map cannot store, naming the field", () => {
    const s = spec({ consul: { register: true, meta: { note: "a#b" } } });
    expect(() => renderCloudMapServiceTags(s, contextFor("web", "default"))).toThrow(RenderError);
    expect(() => renderCloudMapServiceTags(s, contextFor("web", "default"))).toThrow(
      /discovery\.consul\.meta\.note/,
    );
  });
});
