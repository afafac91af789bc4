import { describe, expect, it } from "vitest";
import { formatTable } from "../../../src/cli/output.js";
import { record } from "./records.js";

const NOW = Date.parse("2024-01-01T00:10:00.000Z");

describe("get namespacepolicies", () => {
  it("shows what each policy governs and how many rules restrict something", () => {
    const ready = {
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Governing",
          message: "",
          lastTransitionTime: "2024-01-01T00:00:00.000Z",
          observedGeneration: 1,
        },
      ],
      governs: "every namespace without its own policy",
    };
    const table = formatTable(
      "NamespacePolicy",
      [
        record("default", {
          kind: "NamespacePolicy",
          namespace: "fargate-system",
          spec: { roleArns: ["x"], clusters: [], limits: { maxCpu: 1024, maxServices: 3 } },
          status: ready,
        }),
        record("team-a", { kind: "NamespacePolicy", namespace: "fargate-system", spec: {} }),
      ],
      false,
      NOW,
    );
    expect(table.split("\n")).toEqual([
      "NAME      READY     REASON      GOVERNS                                  RULES   AGE",
      "default   True      Governing   every namespace without its own policy   4       10m",
      "team-a    Unknown   Pending     namespace team-a                         0       10m",
      "",
    ]);
  });
});
