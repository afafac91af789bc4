/**
 * The engine's report as status: the `sync` field and the Ready trio it implies. Pure; shared by the controller's
 * passes and the status writer (controller and `fargatectl catalog-sync` alike), so both say the same thing.
 */
import type { CatalogSyncReportStatus, CatalogSyncSpec } from "../../crds/catalog-sync.js";
import type { SyncReport } from "../../sync/types.js";
import { type ConditionUpdate, readyConditions, reconcilingConditions } from "../conditions.js";
import { CatalogSyncReason } from "./context.js";

/** The parts of a spec the conditions read (`consul.tls` only for the insecure-TLS warning). */
export type ReportSpec = Pick<CatalogSyncSpec, "toCloudMap" | "toConsul"> & {
  consul?: Pick<NonNullable<CatalogSyncSpec["consul"]>, "tls"> | undefined;
};

/** Said in every Ready message of a sync that does not verify Consul's certificate. */
export const INSECURE_TLS_WARNING =
  "WARNING: spec.consul.tls.insecureSkipVerify is true: Consul's certificate is not verified (testing only)";

/** The status form of a report (plain JSON; `undefined` fields left out, lists sorted for stable writes). */
export function reportStatus(report: SyncReport, reportedAt: string): CatalogSyncReportStatus {
  const out: CatalogSyncReportStatus = {
    writer: report.writer,
    toCloudMap: [...report.toCloudMap]
      .sort((a, b) => a.cloudMapName.localeCompare(b.cloudMapName))
      .map((m) => ({
        consulName: m.consulName,
        cloudMapName: m.cloudMapName,
        cloudMapServiceId: m.cloudMapServiceId,
        instances: m.instances,
        healthy: m.healthy,
      })),
    toConsul: [...report.toConsul]
      .sort((a, b) => a.consulName.localeCompare(b.consulName))
      .map((m) => ({
        cloudMapServiceId: m.cloudMapServiceId,
        cloudMapName: m.cloudMapName,
        consulName: m.consulName,
        instances: m.instances,
        passing: m.passing,
        ...(m.refused === undefined ? {} : { refused: m.refused }),
      })),
    errors: {
      ...(report.errors.toCloudMap === undefined ? {} : { toCloudMap: report.errors.toCloudMap }),
      ...(report.errors.toConsul === undefined ? {} : { toConsul: report.errors.toConsul }),
    },
    writes: { toCloudMap: report.writes.toCloudMap, toConsul: report.writes.toConsul },
    reportedAt,
  };
  if (report.lastSyncToCloudMap !== undefined) out.lastSyncToCloudMap = report.lastSyncToCloudMap;
  if (report.lastSyncToConsul !== undefined) out.lastSyncToConsul = report.lastSyncToConsul;
  const skipped = report.skipped;
  if (skipped?.toCloudMap !== undefined || skipped?.toConsul !== undefined) {
    out.skipped = {
      ...(skipped.toCloudMap === undefined ? {} : { toCloudMap: skipped.toCloudMap }),
      ...(skipped.toConsul === undefined ? {} : { toConsul: skipped.toConsul }),
    };
  }
  const lag = report.lagMs;
  if (lag !== undefined && (lag.toCloudMap !== undefined || lag.toConsul !== undefined)) {
    out.lagMs = {
      ...(lag.toCloudMap === undefined ? {} : { toCloudMap: lag.toCloudMap }),
      ...(lag.toConsul === undefined ? {} : { toConsul: lag.toConsul }),
    };
  }
  return out;
}

/**
 * What a later report must change before it is written at once (anything else — sync times, lag, write counts —
 * waits for the writer's heartbeat): who writes, what is mirrored, and the errors.
 */
export function significantPart(report: CatalogSyncReportStatus | undefined): string {
  if (report === undefined) return "";
  return JSON.stringify([report.writer, report.toCloudMap, report.toConsul, report.errors]);
}

/** The failing directions as one message (`toConsul: <error>; toCloudMap: <error>`), or undefined. */
export function failureMessage(report: CatalogSyncReportStatus): string | undefined {
  const parts: string[] = [];
  if (report.errors.toCloudMap !== undefined) parts.push(`toCloudMap: ${report.errors.toCloudMap}`);
  if (report.errors.toConsul !== undefined) parts.push(`toConsul: ${report.errors.toConsul}`);
  return parts.length === 0 ? undefined : parts.join("; ");
}

/**
 * The Ready trio a report implies: SyncFailing while a direction fails, WaitingForLease while another engine
 * writes, Starting until every enabled direction completed a round, then Ready=True (Syncing).
 */
export function conditionsFromReport(
  report: CatalogSyncReportStatus | undefined,
  spec: ReportSpec,
  generation: number,
): ConditionUpdate[] {
  const conditions = baseConditions(report, spec, generation);
  if (spec.consul?.tls?.insecureSkipVerify !== true) return conditions;
  return conditions.map((c) =>
    c.type === "Ready" ? { ...c, message: `${c.message}. ${INSECURE_TLS_WARNING}` } : c,
  );
}

function baseConditions(
  report: CatalogSyncReportStatus | undefined,
  spec: ReportSpec,
  generation: number,
): ConditionUpdate[] {
  if (report === undefined) {
    return reconcilingConditions(
      generation,
      CatalogSyncReason.Starting,
      "the sync engine is starting; waiting for its first report",
    );
  }
  const failure = failureMessage(report);
  if (failure !== undefined) return reconcilingConditions(generation, CatalogSyncReason.SyncFailing, failure);
  if (!report.writer) {
    return reconcilingConditions(
      generation,
      CatalogSyncReason.WaitingForLease,
      "another engine holds the namespace's sync lease; this one takes over when it is released or expires",
    );
  }
  const pending = [
    ...(spec.toCloudMap.enabled && report.lastSyncToCloudMap === undefined ? ["toCloudMap"] : []),
    ...(spec.toConsul.enabled && report.lastSyncToConsul === undefined ? ["toConsul"] : []),
  ];
  if (pending.length > 0) {
    return reconcilingConditions(
      generation,
      CatalogSyncReason.Starting,
      `waiting for the first complete round of ${pending.join(" and ")}`,
    );
  }
  return readyConditions(
    generation,
    CatalogSyncReason.Syncing,
    `${report.toCloudMap.length} service(s) mirrored to Cloud Map, ${report.toConsul.length} to Consul`,
  );
}
