/**
 * Rules of a FargateService whose runtimePlatform is a Windows Server family, as ECS documents Windows containers
 * on Fargate: at least 1 vCPU, X86_64 only, none of the Linux-only container fields, no EFS, no Fargate Spot;
 * and the operator's Vault agent sidecar, a Linux image, cannot run in the task. Defensive.
 */
import { issue, type ValidationIssue } from "./issues.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

/** Container fields ECS refuses on Windows containers, with the fix. */
const LINUX_ONLY_CONTAINER_FIELDS: Readonly<Record<string, string>> = {
  linuxParameters: "remove linuxParameters: Windows containers have no Linux kernel options",
  user: "remove user: ECS does not set the user of Windows containers",
  ulimits: "remove ulimits: they are Linux resource limits",
  readonlyRootFilesystem: "remove readonlyRootFilesystem: Windows containers cannot have a read-only root",
};

/** True when `spec.runtimePlatform` names a Windows Server family Fargate runs (others fail the schema alone). */
export function isWindowsTask(spec: JsonRecord): boolean {
  return /^WINDOWS_SERVER_20(19|22|25)_(FULL|CORE)$/.test(
    asString(asRecord(spec.runtimePlatform)?.operatingSystemFamily) ?? "",
  );
}

/** Issues of a Windows task; none for a Linux one. */
export function windowsRules(spec: JsonRecord): ValidationIssue[] {
  if (!isWindowsTask(spec)) return [];
  const out: ValidationIssue[] = [];
  const cpu = asNumber(spec.cpu);
  if (cpu !== undefined && cpu < 1024)
    out.push(
      issue(
        ["spec", "cpu"],
        `cpu ${cpu} is below 1 vCPU, the least a Windows task on Fargate takes`,
        "set cpu: 1024 or more",
      ),
    );
  if (asRecord(spec.runtimePlatform)?.cpuArchitecture === "ARM64")
    out.push(
      issue(
        ["spec", "runtimePlatform", "cpuArchitecture"],
        "Windows tasks on Fargate run on X86_64 only",
        "set cpuArchitecture: X86_64",
      ),
    );
  if (spec.vault !== undefined)
    out.push(
      issue(
        ["spec", "vault"],
        "the Vault agent sidecar is a Linux container and cannot run in a Windows task",
        "remove vault and read secrets through spec.containers[].secrets, or run the service on LINUX",
      ),
    );
  if (spec.pidMode !== undefined)
    out.push(issue(["spec", "pidMode"], "pidMode is not supported for Windows tasks", "remove pidMode"));
  for (const [i, container] of recordsOf(spec.containers)) {
    for (const [field, fix] of Object.entries(LINUX_ONLY_CONTAINER_FIELDS)) {
      if (container[field] !== undefined)
        out.push(
          issue(["spec", "containers", i, field], `${field} is not supported for Windows containers`, fix),
        );
    }
  }
  for (const [i, volume] of recordsOf(spec.volumes)) {
    if (volume.efsVolumeConfiguration !== undefined)
      out.push(
        issue(
          ["spec", "volumes", i, "efsVolumeConfiguration"],
          "EFS volumes are not supported for Windows tasks on Fargate",
          "remove the EFS volume, or run the service on LINUX",
        ),
      );
  }
  for (const [i, item] of recordsOf(spec.capacityProviderStrategy)) {
    if (item.capacityProvider === "FARGATE_SPOT")
      out.push(
        issue(
          ["spec", "capacityProviderStrategy", i, "capacityProvider"],
          "Fargate Spot does not run Windows tasks",
          "use FARGATE",
        ),
      );
  }
  return out;
}
