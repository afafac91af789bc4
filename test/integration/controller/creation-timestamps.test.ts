/**
 * Records written by hand (`aws dynamodb put-item`, no creationTimestamp) get a creationTimestamp on first sight,
 * whatever their kind and whether or not anything comes of them: a NamespacePolicy that governs, one in the wrong
 * namespace (Stalled), a CloudMapNamespace, a CatalogSync whose namespace does not exist, a valid FargateService,
 * an invalid one, a suspended one, one its policy refuses and one whose creationTimestamp is not a time. `fargatectl get` then shows an AGE for each, and
 * `<unknown>` (kubectl's word) for a record seen before the controller stamped it.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { formatTable } from "../../../src/cli/output.js";
import { API_VERSION, type Kind } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { endpointOf, freshStore, TEST_CREDENTIALS } from "../../support/store-fixtures.js";

const SERVICE_SPEC = {
  cluster: "apps",
  cpu: 256,
  memory: 512,
  containers: [{ name: "web", image: "public.ecr.aws/nginx/nginx:1.27" }],
  network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
};

/** What `aws dynamodb put-item` writes: key, kind, apiVersion, spec (and labels); nothing the controller owns. */
function handWritten(kind: Kind, namespace: string, name: string, spec: Record<string, unknown>) {
  return { pk: namespace, sk: `${kind}#${name}`, kind, apiVersion: API_VERSION, spec };
}

const ITEMS = [
  handWritten("NamespacePolicy", "fargate-system", "team-a", { clusters: ["other"] }),
  handWritten("NamespacePolicy", "team-a", "misplaced", {}),
  handWritten("CloudMapNamespace", "platform", "apps-internal", {
    dnsName: "apps.internal",
    vpcId: "vpc-0a1b2c3d",
  }),
  handWritten("CatalogSync", "platform", "orphan", {
    cloudMapNamespaceRef: { name: "missing" },
    placement: "controller",
  }),
  handWritten("FargateService", "default", "web", SERVICE_SPEC),
  handWritten("FargateService", "default", "broken", { ...SERVICE_SPEC, cpu: 3 }),
  handWritten("FargateService", "default", "paused", { ...SERVICE_SPEC, suspend: true }),
  // team-a's policy allows only cluster "other": refused before anything reaches AWS.
  handWritten("FargateService", "team-a", "refused", SERVICE_SPEC),
  // Not a time (Date.parse would make 2001 of it): read as absent and stamped over.
  { ...handWritten("FargateService", "default", "odd", SERVICE_SPEC), creationTimestamp: "1" },
] as const;

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("creationTimestamp of hand-written records", () => {
  let store: DynamoResourceStore | undefined;
  let sim: AwsSimulator | undefined;
  let signals: EventEmitter | undefined;
  let exit: Promise<number> | undefined;
  afterEach(async () => {
    signals?.emit("SIGTERM");
    await exit;
    store?.destroy();
    await sim?.stop();
  });

  it("is stamped on every kind at first sight, reconciled to Ready or not, and AGE is never made up", async () => {
    const s = await freshStore(endpointOf("dynamodbLocalEndpoint"));
    store = s;
    const documents = DynamoDBDocumentClient.from(s.clients.dynamodb);
    for (const item of ITEMS) await documents.send(new PutCommand({ TableName: s.tableName, Item: item }));

    // Before the controller has seen them: no timestamp, and the CLI says so instead of counting from 1970.
    const unseen = await s.list("FargateService");
    expect(unseen.every((r) => r.metadata.creationTimestamp === undefined)).toBe(true);
    const table = formatTable("FargateService", unseen, true, Date.now());
    for (const line of table.trimEnd().split("\n").slice(1)) expect(line).toMatch(/<unknown>$/);

    sim = await startAwsSimulator({ timeScale: 10 });
    signals = new EventEmitter();
    const startedAt = Date.now();
    exit = runControllerCommand(
      {
        "metrics-address": "127.0.0.1:0",
        "lease-name": "creation-timestamps",
        "lease-duration": "1.5s",
        "lease-heartbeat": "500ms",
        "watch-poll-interval": "100ms",
        table: s.tableName,
      },
      { AWS_ENDPOINT_URL_ECS: sim.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint },
      {
        credentials: TEST_CREDENTIALS,
        store: s,
        leases: s.leases,
        syncOwners: s.syncOwners,
        signals,
        logDestination: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      },
    );
    const missing = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const item of ITEMS) {
        const record = await s.get(item.kind, item.pk, item.sk.slice(item.kind.length + 1));
        if (record.metadata.creationTimestamp === undefined) out.push(`${item.kind} ${item.pk}/${item.sk}`);
      }
      return out;
    };
    await eventually(async () => (await missing()).length === 0, "every record stamped");
    for (const item of ITEMS) {
      const record = await s.get(item.kind, item.pk, item.sk.slice(item.kind.length + 1));
      const stamped = Date.parse(record.metadata.creationTimestamp ?? "");
      // Stamped when the controller first saw it: not before it started, never 1970.
      expect(stamped, `${item.kind} ${item.pk}/${item.sk}`).toBeGreaterThanOrEqual(startedAt - 1_000);
    }
    const seen = await s.list("FargateService");
    const aged = formatTable("FargateService", seen, true, Date.now());
    expect(aged).not.toContain("<unknown>");
    for (const line of aged.trimEnd().split("\n").slice(1)) expect(line).toMatch(/\s\d+s$/);
  });
});
