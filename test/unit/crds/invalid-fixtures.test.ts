import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue, formatPath, parseDocuments, validateDocument } from "../../../src/crds/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = join(root, "test/fixtures/invalid");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

/** `# expect: <json path> <substring of message>` lines at the top of a fixture. */
function expectations(text: string): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const line of text.split("\n")) {
    const match = /^# expect: (\S+) (.+)$/.exec(line);
    if (!match) break;
    out.push({ path: match[1] as string, message: match[2] as string });
  }
  return out;
}

describe("invalid spec corpus", () => {
  it("has at least 25 bad specs, each starting with an expectation", () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const file of files) expect(readFileSync(join(dir, file), "utf8")).toMatch(/^# expect: /);
  });

  it.each(files)("%s reports what it expects", (file) => {
    const text = readFileSync(join(dir, file), "utf8");
    const source = `test/fixtures/invalid/${file}`;
    const wanted = expectations(text);
    expect(wanted.length).toBeGreaterThan(0);
    const { documents, syntaxErrors } = parseDocuments(text, source);
    expect(syntaxErrors).toEqual([]);
    const reported: Array<{ path: string; message: string; line: string }> = [];
    for (const document of documents) {
      const result = validateDocument(document.value);
      if (result.ok) continue;
      for (const issue of result.issues) {
        reported.push({
          path: formatPath(issue.path),
          message: issue.message,
          line: formatIssue(source, document.positionOf(issue.path), issue),
        });
      }
    }
    for (const { path, message } of wanted) {
      const hit = reported.find((r) => r.path === path && r.message.includes(message));
      expect(
        hit,
        `expected "${path}: ...${message}..." among:\n${reported.map((r) => r.line).join("\n")}`,
      ).toBeDefined();
    }
    const escaped = source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    for (const { line } of reported) {
      expect(line).toMatch(new RegExp(`^${escaped}:\\d+:\\d+: `));
      expect(line).toMatch(/ \(.+\)$/); // every issue carries a hint
    }
  });
});
