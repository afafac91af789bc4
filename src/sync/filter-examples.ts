/**
 * The include/exclude/prefix examples of docs/catalog-sync.md. The doc's table is `renderFilterTable()` verbatim
 * (a unit test checks it) and the same test runs every row through `decideName`. Pure.
 */

/** One example: a direction's settings, a source name, and what the engine does with it. */
export interface FilterExample {
  include: string[];
  exclude: string[];
  prefix: string;
  name: string;
  synced: boolean;
  /** The target name when synced. */
  target?: string;
  /** Why, in a few words. */
  note: string;
}

/** Every documented example. */
export const FILTER_EXAMPLES: readonly FilterExample[] = [
  {
    include: [],
    exclude: [],
    prefix: "",
    name: "vault",
    synced: true,
    target: "vault",
    note: "empty include = all",
  },
  {
    include: ["vault"],
    exclude: [],
    prefix: "",
    name: "vault",
    synced: true,
    target: "vault",
    note: "exact name",
  },
  {
    include: ["vault"],
    exclude: [],
    prefix: "",
    name: "vault-agent",
    synced: false,
    note: "exact, not a prefix",
  },
  {
    include: ["vault*"],
    exclude: [],
    prefix: "",
    name: "vault-agent",
    synced: true,
    target: "vault-agent",
    note: "`*` any run",
  },
  {
    include: ["vault*"],
    exclude: ["vault-dev"],
    prefix: "",
    name: "vault-dev",
    synced: false,
    note: "exclude wins",
  },
  {
    include: ["vault*"],
    exclude: ["vault-dev"],
    prefix: "",
    name: "vault-prod",
    synced: true,
    target: "vault-prod",
    note: "included, not excluded",
  },
  {
    include: ["web"],
    exclude: ["web"],
    prefix: "",
    name: "web",
    synced: false,
    note: "exclude wins over an exact include",
  },
  {
    include: ["db-?"],
    exclude: [],
    prefix: "",
    name: "db-1",
    synced: true,
    target: "db-1",
    note: "`?` one character",
  },
  { include: ["db-?"], exclude: [], prefix: "", name: "db-10", synced: false, note: "`?` exactly one" },
  {
    include: [],
    exclude: ["*-canary"],
    prefix: "consul-",
    name: "web",
    synced: true,
    target: "consul-web",
    note: "prefix added to the source name",
  },
  {
    include: [],
    exclude: ["*-canary"],
    prefix: "consul-",
    name: "web-canary",
    synced: false,
    note: "exclude glob",
  },
  {
    include: ["api.*"],
    exclude: [],
    prefix: "",
    name: "api.v1",
    synced: true,
    target: "api.v1",
    note: "`.` is literal",
  },
  {
    include: ["api.*"],
    exclude: [],
    prefix: "",
    name: "apixv1",
    synced: false,
    note: "`.` is not a wildcard",
  },
  { include: ["web"], exclude: [], prefix: "", name: "Web", synced: false, note: "case-sensitive" },
  {
    include: ["*"],
    exclude: [],
    prefix: "ecs-",
    name: "payments",
    synced: true,
    target: "ecs-payments",
    note: "`*` matches all",
  },
  {
    include: ["pay*", "db"],
    exclude: [],
    prefix: "",
    name: "db",
    synced: true,
    target: "db",
    note: "any include pattern",
  },
];

const code = (text: string): string => `\`${text}\``;
const list = (patterns: readonly string[]): string =>
  patterns.length === 0 ? "(empty)" : patterns.map(code).join(", ");

/** The examples as the Markdown table docs/catalog-sync.md carries. */
export function renderFilterTable(examples: readonly FilterExample[] = FILTER_EXAMPLES): string {
  const rows = examples.map((e) =>
    [
      list(e.include),
      list(e.exclude),
      e.prefix === "" ? '""' : code(e.prefix),
      code(e.name),
      e.synced ? "yes" : "no",
      e.target === undefined ? "—" : code(e.target),
      e.note,
    ].join(" | "),
  );
  return [
    "| include | exclude | prefix | name | synced? | target name | why |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}
