/** How the simulator decides that, and how, an image's tasks fail; and ECS's wording for a missing image. */
import { describe, expect, it } from "vitest";
import {
  cannotPullMessage,
  failingContainer,
  failureOfImage,
  resolvedReference,
  type TaskFailure,
} from "../../../src/dev/aws-sim/ecs/task-failures.js";

const none = new Map<string, TaskFailure>();

describe("simulated task failures", () => {
  it("follow the tag conventions, and a control call wins over them", () => {
    expect(failureOfImage("web:2-crashloop", none)).toBe("crash");
    expect(failureOfImage("web:2-missing", none)).toBe("pull");
    expect(failureOfImage("web:2-unhealthy", none)).toBe("unhealthy");
    expect(failureOfImage("web:2-oom", none)).toBe("oom");
    expect(failureOfImage("web:2", none)).toBeUndefined();
    expect(failureOfImage("web:2-crashloop", new Map([["web:2-crashloop", "oom" as const]]))).toBe("oom");
  });

  it("only an essential container's image fails a task", () => {
    const containers = [
      { name: "log", image: "log:1-crashloop", essential: false, ports: [] },
      { name: "web", image: "web:1-missing", essential: true, ports: [] },
    ];
    expect(failingContainer(containers, none)).toEqual({ name: "web", failure: "pull" });
    expect(failingContainer(containers.slice(0, 1), none)).toBeUndefined();
  });

  it("name the reference containerd resolves, as ECS's CannotPullContainerError does", () => {
    expect(resolvedReference("web:2")).toBe("docker.io/library/web:2");
    expect(resolvedReference("nginx")).toBe("docker.io/library/nginx:latest");
    expect(resolvedReference("acme/web:2")).toBe("docker.io/acme/web:2");
    expect(resolvedReference("public.ecr.aws/nginx/nginx:1.27")).toBe("public.ecr.aws/nginx/nginx:1.27");
    expect(resolvedReference("localhost:5000/web:1")).toBe("localhost:5000/web:1");
    expect(cannotPullMessage("web:2-missing")).toBe(
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " +
        "docker.io/library/web:2-missing: docker.io/library/web:2-missing: not found",
    );
  });
});
