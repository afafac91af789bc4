/** `fargatectl catalog-sync` settings: the JSON config, flags over it, and one error listing every problem. */
import { describe, expect, it } from "vitest";
import { SYNC_CONFIG_ENV } from "../../../../src/config/catalog-sync.js";
import { resolveCatalogSyncSettings } from "../../../../src/config/catalog-sync-resolve.js";
import { ConfigError } from "../../../../src/config/errors.js";

const CONFIG = {
  owner: { uid: "uid-1", namespace: "platform", name: "apps" },
  cloudMapNamespace: { id: "ns-1", dnsName: "apps.internal" },
  toCloudMap: { enabled: true, include: ["vault"], exclude: [], prefix: "" },
  toConsul: { enabled: true, include: [], exclude: [], prefix: "fargate-" },
  pollIntervalMs: 5_000,
  deleteGraceMs: 30_000,
  consul: { address: "consul.internal:8500" },
};

describe("resolveCatalogSyncSettings", () => {
  it("takes the task config from the environment, with no table (no lease, no status) by default", () => {
    const settings = resolveCatalogSyncSettings({}, { [SYNC_CONFIG_ENV]: JSON.stringify(CONFIG) });
    expect(settings.task).toEqual(CONFIG);
    expect(settings.table).toBeUndefined();
    expect(settings.consulToken).toBeUndefined();
  });

  it("lets flags override fields of the config", () => {
    const settings = resolveCatalogSyncSettings(
      { "to-consul-prefix": "ecs-", "to-cloud-map-include": "vault,postgres-*", "poll-interval": "2s" },
      {
        [SYNC_CONFIG_ENV]: JSON.stringify(CONFIG),
        CONSUL_HTTP_ADDR: "127.0.0.1:8500",
        CONSUL_HTTP_TOKEN: "t",
      },
    );
    expect(settings.task.toConsul.prefix).toBe("ecs-");
    expect(settings.task.toCloudMap.include).toEqual(["vault", "postgres-*"]);
    expect(settings.task.pollIntervalMs).toBe(2_000);
    expect(settings.task.consul.address).toBe("127.0.0.1:8500");
    expect(settings.consulToken).toBe("t");
  });

  it("reads TLS settings by the names Consul's CLI uses, over the config's", () => {
    const settings = resolveCatalogSyncSettings(
      {},
      {
        [SYNC_CONFIG_ENV]: JSON.stringify({
          ...CONFIG,
          consul: {
            address: "https://consul.internal:8501",
            tls: { caPem: "PEM", serverName: "a.internal" },
          },
        }),
        CONSUL_CACERT: "/etc/consul/ca.pem",
        CONSUL_CLIENT_CERT: "/etc/consul/client.pem",
        CONSUL_CLIENT_KEY: "/etc/consul/client-key.pem",
        CONSUL_TLS_SERVER_NAME: "consul.internal",
        CONSUL_HTTP_SSL_VERIFY: "false",
      },
    );
    expect(settings.caFile).toBe("/etc/consul/ca.pem");
    expect(settings.clientCert).toBe("/etc/consul/client.pem");
    expect(settings.clientKey).toBe("/etc/consul/client-key.pem");
    expect(settings.task.consul.tls).toEqual({
      caPem: "PEM",
      serverName: "consul.internal",
      insecureSkipVerify: true,
    });
    expect(() =>
      resolveCatalogSyncSettings({ "client-cert": "/c.pem" }, { [SYNC_CONFIG_ENV]: JSON.stringify(CONFIG) }),
    ).toThrow(/go together/);
  });

  it("runs from flags alone", () => {
    const settings = resolveCatalogSyncSettings(
      {
        owner: "platform/apps",
        "owner-uid": "uid-1",
        "cloud-map-namespace-id": "ns-1",
        "cloud-map-dns-name": "apps.internal",
        "consul-address": "127.0.0.1:8500",
        table: "fargate-operator",
      },
      {},
    );
    expect(settings.task.owner).toEqual({ uid: "uid-1", namespace: "platform", name: "apps" });
    expect(settings.task.toCloudMap).toEqual({ enabled: true, include: [], exclude: [], prefix: "" });
    expect(settings.table).toBe("fargate-operator");
  });

  it("lists every missing part at once", () => {
    try {
      resolveCatalogSyncSettings({}, {});
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(6);
    }
  });
});
