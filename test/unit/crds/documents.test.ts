import { describe, expect, it } from "vitest";
import { formatIssue, formatPath, parseDocuments, validateDocument } from "../../../src/crds/index.js";

const TEXT = `# leading comment
apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: hello
spec:
  cluster: apps
  cpu: 256
  memory: 512
  desiredcount: 2
  containers:
    - name: web
      ports:
        - containerPort: 80
  network:
    subnets: [subnet-1]
    securityGroups: ["sg-1"]
---
---
{"apiVersion": "fargate-operator/v1alpha1", "kind": "CloudMapNamespace",
 "metadata": {"name": "apps-internal"}, "spec": {"dnsName": "Apps.internal", "vpcId": "vpc-1"}}
`;

describe("parseDocuments", () => {
  const { documents, syntaxErrors } = parseDocuments(TEXT, "services.yaml");

  it("returns every non-empty document with its index in the stream", () => {
    expect(syntaxErrors).toEqual([]);
    expect(documents.map((d) => d.index)).toEqual([0, 2]);
    expect(documents[1]?.value).toMatchObject({ kind: "CloudMapNamespace", spec: { vpcId: "vpc-1" } });
  });

  it("maps paths to the key of a map entry, the start of a list item, and a flow entry", () => {
    const first = documents[0];
    if (!first) throw new Error("no document");
    expect(first.positionOf([])).toEqual({ line: 2, col: 1 });
    expect(first.positionOf(["spec", "desiredcount"])).toEqual({ line: 10, col: 3 });
    expect(first.positionOf(["spec", "containers", 0])).toEqual({ line: 12, col: 7 });
    expect(first.positionOf(["spec", "containers", 0, "ports", 0, "containerPort"])).toEqual({
      line: 14,
      col: 11,
    });
    expect(first.positionOf(["spec", "network", "securityGroups", 0])).toEqual({ line: 17, col: 22 });
    expect(documents[1]?.positionOf(["spec", "dnsName"])).toEqual({ line: 21, col: 50 });
  });

  it("points a missing field at the deepest part that exists (the parent object)", () => {
    const first = documents[0];
    expect(first?.positionOf(["spec", "containers", 0, "image"])).toEqual({ line: 12, col: 7 });
    expect(first?.positionOf(["spec", "iam", "taskRoleArn"])).toEqual({ line: 6, col: 1 });
    expect(first?.positionOf(["spec", "containers", 5, "name"])).toEqual({ line: 11, col: 3 });
  });

  it("formats issues exactly as file:line:col: path: message (hint)", () => {
    const lines = documents.flatMap((document) => {
      const result = validateDocument(document.value);
      return result.ok
        ? []
        : result.issues.map((i) => formatIssue("services.yaml", document.positionOf(i.path), i));
    });
    expect(lines).toEqual([
      'services.yaml:10:3: spec.desiredcount: unknown field "desiredcount" (did you mean "desiredCount"?)',
      'services.yaml:12:7: spec.containers[0].image: missing required field "image" (add image: container image reference (registry/repository:tag or @sha256 digest))',
      `services.yaml:21:50: spec.dnsName: invalid dnsName "Apps.internal": uppercase letters are not allowed (use lowercase labels of letters, digits and '-' separated by '.', for example apps.internal)`,
    ]);
  });

  it("formats paths with indexes and odd keys", () => {
    expect(formatPath(["spec", "containers", 0, "image"])).toBe("spec.containers[0].image");
    expect(formatPath(["spec", "containers", 0, "environment", "MY-VAR"])).toBe(
      "spec.containers[0].environment.MY-VAR",
    );
    expect(formatPath(["metadata", "labels", "app.kubernetes.io/name"])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
    expect(formatPath([])).toBe("(document)");
  });

  it("reports YAML syntax errors with line and column, and keeps the good documents", () => {
    const text = "kind: CloudMapNamespace\nspec:\n  dnsName: [apps\n---\nkind: FargateService\n";
    const result = parseDocuments(text, "bad.yaml");
    expect(result.syntaxErrors).toHaveLength(1);
    expect(result.syntaxErrors[0]).toMatchObject({ line: 4, col: 1, index: 0 });
    expect(result.syntaxErrors[0]?.message).toMatch(/^Flow sequence/);
    expect(result.syntaxErrors[0]?.message).not.toContain("\n");
    expect(result.documents.map((d) => d.index)).toEqual([1]);
  });

  it("reports duplicate keys and bad indentation as syntax errors", () => {
    const duplicate = parseDocuments("a: 1\nb: 2\na: 3\n", "dup.yaml");
    expect(duplicate.syntaxErrors).toEqual([
      { line: 3, col: 1, index: 0, message: "Map keys must be unique" },
    ]);
    // yaml reads the over-indented line as the continuation of a multi-line key starting after "cpu: "
    const indent = parseDocuments("spec:\n  cpu: 1\n   memory: 2\n", "indent.yaml");
    expect(indent.syntaxErrors[0]).toMatchObject({ line: 2, col: 8 });
  });

  it("treats an empty stream and comment-only documents as no documents", () => {
    expect(parseDocuments("", "empty.yaml")).toEqual({ documents: [], syntaxErrors: [] });
    expect(parseDocuments("# nothing\n---\n# still nothing\n---\n", "c.yaml").documents).toEqual([]);
    const nullDocument = parseDocuments("null\n", "n.yaml").documents[0];
    expect(nullDocument?.value).toBeNull(); // written explicitly: kept, so validation can say it is not a mapping
  });

  it("gives plain JSON values: YAML 1.2 core (yes stays a string, no dates)", () => {
    const [document] = parseDocuments("a: yes\nb: 2024-01-01\nc: 0x10\nd: ~\n", "t.yaml").documents;
    expect(document?.value).toEqual({ a: "yes", b: "2024-01-01", c: 16, d: null });
  });
});
