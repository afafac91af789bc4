/**
 * `npm run corpus:report`: prints the real-world corpus's import results (dir | exit | first loss, and the
 * share) as markdown; with `--write` also writes them to test/fixtures/real-world/RESULTS.md.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS_DIR, corpusResults, resultsMarkdown } from "../test/support/real-world-corpus.js";

const markdown = resultsMarkdown(corpusResults());
process.stdout.write(markdown);
if (process.argv.includes("--write")) {
  const target = join(CORPUS_DIR, "RESULTS.md");
  writeFileSync(target, markdown);
  process.stderr.write(`wrote ${target}\n`);
}
