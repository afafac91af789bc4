/**
 * DynamoDB Local on loopback only. Its jar has no bind-address option: `DynamoDBProxyServer` builds a Jetty 12
 * `new Server(port)`, whose one `ServerConnector` has no host and so binds every interface, and Jetty reads no
 * system property for a default host. This small Java launcher (run in Java's source-file mode, JEP 330) builds
 * the server the way the jar's own `main` does, sets the connector's host, then starts it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LaunchError } from "./launch-process.js";

/** Java source of the launcher: `LoopbackDynamoDbLocal <host> <DynamoDB Local options...>`. */
export const LOOPBACK_LAUNCHER_SOURCE = `
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    DynamoDBProxyServer proxy =
        ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int connectors = 0;
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("unexpected connector " + connector.getClass().getName());
      }
      ((ServerConnector) connector).setHost(host);
      connectors++;
    }
    if (connectors == 0) throw new IllegalStateException("DynamoDB Local built no connector");
    proxy.start();
    proxy.join();
  }
}
`;

/** True when `java` can run a source file (the `jdk.compiler` module: a JDK, not only a JRE). */
export function javaCanRunSource(): boolean {
  const result = spawnSync("java", ["--list-modules"], { encoding: "utf8" });
  return result.status === 0 && /^jdk\.compiler@/m.test(result.stdout);
}

/** The launcher written to a private directory (0700, file 0600); `remove` deletes both. */
export function writeLoopbackLauncher(): { file: string; remove: () => void } {
  if (!javaCanRunSource()) {
    throw new LaunchError(
      "DynamoDB Local binds every interface unless started through a small Java launcher that needs a JDK " +
        "(the jdk.compiler module); install e.g. openjdk-17-jdk-headless",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "fargate-operator-dynamodb-local-"));
  const file = join(dir, "LoopbackDynamoDbLocal.java");
  writeFileSync(file, LOOPBACK_LAUNCHER_SOURCE, { mode: 0o600, flag: "wx" });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
