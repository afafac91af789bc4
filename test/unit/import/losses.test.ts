/** What a FargateService cannot carry is named by its input path, with why; operator-owned parts are not losses. */
import { describe, expect, it } from "vitest";
import { importFargateService } from "../../../src/import/index.js";
import { roundTripLosses } from "../../../src/import/round-trip.js";
import type { EcsInput } from "../../../src/import/types.js";
import { createServiceInput, registerInput } from "./inputs.js";

type Json = Record<string, unknown>;

function withContainer(patch: Json): Json {
  const td = registerInput();
  const [app] = td.containerDefinitions as Json[];
  return { ...td, containerDefinitions: [{ ...app, ...patch }] };
}

const lossesOf = (taskDefinition: Json, service?: Json) =>
  importFargateService({ taskDefinition, ...(service === undefined ? {} : { service }) }).losses;

describe("losses", () => {
  it.each([
    [{ links: ["db"] }, "containerDefinitions[0].links", /share one network namespace/],
    [{ privileged: true }, "containerDefinitions[0].privileged", /privileged/],
    [
      { portMappings: [{ containerPort: 8080, hostPort: 80 }] },
      "containerDefinitions[0].portMappings[0].hostPort",
      /hostPort 80 differs from containerPort 8080/,
    ],
    [
      {
        environment: [
          { name: "A", value: "1" },
          { name: "A", value: "2" },
        ],
      },
      "containerDefinitions[0].environment[1]",
      /A is set twice/,
    ],
    [{ hostname: "box" }, "containerDefinitions[0].hostname", /hostname/],
    [
      { portMappings: [{ containerPort: 8080, protocol: "HTTP" }] },
      "containerDefinitions[0].portMappings[0].protocol",
      /"HTTP" is not a protocol ECS takes \(tcp or udp/,
    ],
  ])("container %j is lost at its path", (patch, path, why) => {
    expect(lossesOf(withContainer(patch))).toEqual([{ path, why: expect.stringMatching(why) }]);
  });

  it("false, empty and ECS-default values lose nothing", () => {
    const defaults = {
      availabilityZoneRebalancing: "ENABLED",
      schedulingStrategy: "REPLICA",
      launchType: "FARGATE",
    };
    expect(lossesOf(registerInput(), { ...createServiceInput(), ...defaults })).toEqual([]);
    expect(lossesOf(withContainer({ privileged: false, links: [], dnsServers: [] }))).toEqual([]);
    expect(lossesOf({ ...registerInput(), ipcMode: "", pidMode: "", placementConstraints: [] })).toEqual([]);
  });

  it.each([
    [{ networkMode: "bridge" }, "networkMode", /always use awsvpc/],
    [{ requiresCompatibilities: ["EC2"] }, "requiresCompatibilities", /requires FARGATE/],
    [{ placementConstraints: [{ type: "memberOf", expression: "x" }] }, "placementConstraints", /placement/],
    [{ ipcMode: "host" }, "ipcMode", /ipcMode/],
  ])("task %j is lost at its path", (patch, path, why) => {
    expect(lossesOf({ ...registerInput(), ...patch })).toContainEqual({
      path,
      why: expect.stringMatching(why),
    });
  });

  it.each([
    [{ launchType: "EC2" }, "launchType", /runs on FARGATE/],
    [{ schedulingStrategy: "DAEMON" }, "schedulingStrategy", /REPLICA/],
    [
      { placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }] },
      "placementStrategy",
      /placement/,
    ],
    [{ deploymentController: { type: "CODE_DEPLOY" } }, "deploymentController", /ECS's own controller/],
    [{ desiredCount: "{{ must_env `N` }}" }, "desiredCount", /template expression/],
  ])("service %j is lost at its path", (patch, path, why) => {
    expect(lossesOf(registerInput(), { ...createServiceInput(), ...patch })).toContainEqual({
      path,
      why: expect.stringMatching(why),
    });
  });

  it("ECS fields the spec may not take yet are written under ECS's name, for validation to judge", () => {
    const service = { ...createServiceInput(), availabilityZoneRebalancing: "DISABLED" };
    const result = importFargateService({ taskDefinition: registerInput(), service });
    expect((result.document.spec as Json).availabilityZoneRebalancing).toBe("DISABLED");
  });

  it("operator-owned parts are no loss; a Cloud Map registry asks for spec.discovery.cloudMap", () => {
    const service = {
      ...createServiceInput(),
      clientToken: "t",
      serviceRegistries: [{ registryArn: "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-1" }],
    };
    const result = importFargateService({ taskDefinition: registerInput(), service });
    expect(result.losses).toEqual([]);
    expect(result.notes.join("\n")).toMatch(/add spec.discovery.cloudMap/);
    const tags = [
      { key: "fargate-operator:uid", value: "u" },
      { key: "aws:cloudformation:stack-name", value: "s" },
    ];
    const ours = importFargateService({ taskDefinition: registerInput(), service: { ...service, tags } });
    expect((ours.document.spec as Json).tags).toBeUndefined();
    expect((ours.document.spec as Json).taskDefinitionTags).toEqual({ team: "orders" });
  });

  it("validation issues are losses with the fix", () => {
    const windows2016 = {
      ...registerInput(),
      runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2016_FULL" },
    };
    expect(lossesOf(windows2016)).toEqual([
      { path: "spec.runtimePlatform.operatingSystemFamily", why: expect.stringMatching(/LINUX.*\(fix: /) },
    ]);
  });

  it("a difference after render is a loss at the input's path", () => {
    const input: EcsInput = { taskDefinition: registerInput() };
    const { document } = importFargateService(input);
    const spec = document.spec as { containers: Array<{ environment: Record<string, string> }> };
    (spec.containers[0] as { environment: Record<string, string> }).environment.A = "changed";
    expect(roundTripLosses(document, { input, roles: {}, region: "eu-west-1" })).toEqual([
      {
        path: "containerDefinitions[0].environment.A",
        why: 'differs after render (input "1", rendered "changed")',
      },
    ]);
  });
});
