/** Errors of the config module. */

/** One or more settings are invalid; the message lists every problem with the flag and variable that set it. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** Every problem found, one line each. */
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, options);
    this.problems = problems;
  }
}
