import { describe, expect, it } from "vitest";
import { parseListenAddress, resolveControllerSettings } from "../../../src/config/controller.js";
import { ConfigError } from "../../../src/config/errors.js";
import {
  controllerSettingsHelp,
  flagsFromOptions,
  managerSettingsFrom,
} from "../../../src/reconcilers/command.js";

describe("controller settings", () => {
  it("defaults match the design", () => {
    const s = resolveControllerSettings({}, {});
    expect(s).toMatchObject({
      concurrency: 4,
      resyncPeriodMs: 600_000,
      reconcileTimeoutMs: 300_000,
      shutdownTimeoutMs: 30_000,
      leaseDurationMs: 15_000,
      leaseHeartbeatMs: 5_000,
      leaseName: "fargate-operator-controller",
      metricsAddress: "127.0.0.1:8080",
      retryBaseDelayMs: 1_000,
      retryMaxDelayMs: 300_000,
      retryRatePerSecond: 10,
      retryBurst: 100,
      logLevel: "info",
      table: "fargate-operator",
    });
    expect(s.identity).toMatch(new RegExp(`-${process.pid}$`));
    expect(managerSettingsFrom(s)).toMatchObject({
      resyncJitter: 0.1,
      http: { host: "127.0.0.1", port: 8080 },
    });
  });

  it("takes flags over env over defaults", () => {
    const s = resolveControllerSettings(
      { concurrency: "8", "lease-duration": "1.5s" },
      {
        FARGATE_OPERATOR_CONCURRENCY: "2",
        FARGATE_OPERATOR_LEASE_HEARTBEAT: "500ms",
        FARGATE_OPERATOR_RESYNC_PERIOD: "10m",
      },
    );
    expect(s).toMatchObject({
      concurrency: 8,
      leaseDurationMs: 1500,
      leaseHeartbeatMs: 500,
      resyncPeriodMs: 600_000,
    });
  });

  it("reports every invalid setting at once, with where it came from", () => {
    try {
      resolveControllerSettings(
        { concurrency: "0", "metrics-address": "localhost", "log-level": "loud" },
        { FARGATE_OPERATOR_RESYNC_PERIOD: "soon" },
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("--concurrency=");
      expect(problems).toContain("--metrics-address=");
      expect(problems).toContain("--log-level=");
      expect(problems).toContain("$FARGATE_OPERATOR_RESYNC_PERIOD=");
    }
  });

  it("checks that the lease outlasts the heartbeat", () => {
    expect(() => resolveControllerSettings({ "lease-duration": "5s", "lease-heartbeat": "5s" }, {})).toThrow(
      /must be longer than --lease-heartbeat/,
    );
  });

  it("serves the status page on loopback by default; an empty flag or `off` disables it", () => {
    expect(resolveControllerSettings({}, {}).uiAddress).toBe("127.0.0.1:8081");
    expect(resolveControllerSettings({ "ui-address": "" }, {}).uiAddress).toBe("");
    expect(resolveControllerSettings({}, { FARGATE_OPERATOR_UI_ADDRESS: "off" }).uiAddress).toBe("");
    expect(resolveControllerSettings({}, { FARGATE_OPERATOR_UI_ADDRESS: "127.0.0.1:0" }).uiAddress).toBe(
      "127.0.0.1:0",
    );
    expect(() => resolveControllerSettings({ "ui-address": "8081" }, {})).toThrow(/--ui-address=/);
    expect(controllerSettingsHelp()).toContain("--ui-address");
  });

  it("parses listen addresses, port 0 included", () => {
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:9090")).toEqual({ host: "::1", port: 9090 });
    expect(parseListenAddress("0.0.0.0:8080")).toEqual({ host: "0.0.0.0", port: 8080 });
    expect(() => parseListenAddress("8080")).toThrow();
    expect(() => parseListenAddress("host:70000")).toThrow();
  });

  it("maps commander's camelCase options to flags and lists every setting in help", () => {
    expect(
      flagsFromOptions({ resyncPeriod: "1m", endpointUrl: "http://x", concurrency: 3, verbose: true }),
    ).toEqual({
      "resync-period": "1m",
      "endpoint-url": "http://x",
      concurrency: "3",
    });
    const help = controllerSettingsHelp();
    for (const flag of [
      "--concurrency",
      "--resync-period",
      "--lease-duration",
      "--lease-heartbeat",
      "--lease-name",
      "--metrics-address",
      "--shutdown-timeout",
      "--reconcile-timeout",
      "--identity",
      "--log-level",
    ]) {
      expect(help).toContain(flag);
    }
  });
});
