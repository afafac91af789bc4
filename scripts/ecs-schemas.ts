/**
 * Writes schemas/ecs-shapes.schema.json from botocore's ECS model (`npm run schemas:ecs`). botocore ships with
 * moto on every machine here; python3 is asked only where it lives and which version it is.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { type BotocoreModel, ECS_SCHEMA_FILE, ecsShapesSchema, formatJson } from "./ecs-schemas-lib.js";

/** botocore's ECS model and the botocore version it came from. */
export interface BotocoreEcsModel {
  version: string;
  model: BotocoreModel;
}

/** Reads the newest ECS service-2.json.gz of the botocore python3 imports. */
export function loadBotocoreEcsModel(): BotocoreEcsModel {
  const located = execFileSync(
    "python3",
    [
      "-c",
      "import botocore,os,json;print(json.dumps([os.path.dirname(botocore.__file__),botocore.__version__]))",
    ],
    { encoding: "utf8" },
  );
  const [dir, version] = JSON.parse(located) as [string, string];
  const ecsDir = join(dir, "data", "ecs");
  // Version directories are API dates (YYYY-MM-DD), so the lexically last one is the newest.
  const newest = readdirSync(ecsDir).sort().at(-1);
  if (newest === undefined) throw new Error(`no ECS model under ${ecsDir}`);
  const model = JSON.parse(
    gunzipSync(readFileSync(join(ecsDir, newest, "service-2.json.gz"))).toString("utf8"),
  );
  return { version, model: model as BotocoreModel };
}

/** The schema file's text as the generator produces it now. */
export function generateEcsSchemaText(): string {
  const { version, model } = loadBotocoreEcsModel();
  return formatJson(ecsShapesSchema(model, version));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL(`../${ECS_SCHEMA_FILE}`, import.meta.url);
  writeFileSync(target, generateEcsSchemaText());
  console.log(`wrote ${target.pathname}`);
}
