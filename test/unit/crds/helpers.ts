/** Builders of valid documents for the crds unit tests; each call returns a fresh copy to mutate. */

/** A valid FargateService document using most features (vault, Cloud Map, Consul, logging). */
export function validService(): Record<string, unknown> {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "payments-api", namespace: "team-payments" },
    spec: {
      cluster: "apps",
      cpu: 512,
      memory: 1024,
      containers: [
        {
          name: "api",
          image: "registry.example/payments-api:1.0.0",
          ports: [{ containerPort: 8080, name: "http" }],
          environment: { LOG_LEVEL: "info" },
          secrets: { DB_PASSWORD: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf" },
        },
      ],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      iam: {
        taskRoleArn: "arn:aws:iam::123456789012:role/payments-api",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
      },
      logging: { logGroup: "/ecs/payments" },
      discovery: {
        cloudMap: { namespaceRef: { name: "apps-internal" } },
        consul: { register: true, tags: ["http"] },
      },
      vault: {
        role: "payments-api",
        secrets: [{ name: "db.env", path: "database/creds/payments-api", keys: ["username", "password"] }],
      },
    },
  };
}

/** A minimal valid FargateService document. */
export function minimalService(): Record<string, unknown> {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "hello" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    },
  };
}

/** A valid CatalogSync document with placement: task. */
export function validCatalogSync(): Record<string, unknown> {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "CatalogSync",
    metadata: { name: "data-internal" },
    spec: {
      cloudMapNamespaceRef: { name: "data-internal" },
      consul: { address: "https://consul.example.internal:8501", tokenFrom: { env: "CONSUL_TOKEN_DATA" } },
      placement: "task",
      task: {
        cluster: "data",
        subnets: ["subnet-1"],
        securityGroups: ["sg-1"],
        taskRoleArn: "arn:aws:iam::123456789012:role/catalog-sync",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
      },
    },
  };
}

/** A valid CloudMapNamespace document. */
export function validNamespace(): Record<string, unknown> {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "CloudMapNamespace",
    metadata: { name: "apps-internal" },
    spec: { dnsName: "apps.internal", vpcId: "vpc-0a1b2c3d4e5f60718" },
  };
}

/** A document path, as in ValidationIssue. */
type Path = readonly (string | number)[];

function parentOf(document: unknown, path: Path): Record<string | number, unknown> {
  let node = document as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string | number;
    if (node[segment] === undefined) node[segment] = typeof path[i + 1] === "number" ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  }
  return node;
}

/** Sets `path` in `document` (creating objects on the way) and returns the document. */
export function set<T>(document: T, path: Path, value: unknown): T {
  parentOf(document, path)[path[path.length - 1] as string | number] = value;
  return document;
}

/** Deletes `path` from `document` and returns the document. */
export function remove<T>(document: T, path: Path): T {
  delete parentOf(document, path)[path[path.length - 1] as string | number];
  return document;
}

/** Reads `path` from a value, undefined when any part is missing. */
export function get(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
