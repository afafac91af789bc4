/** A line diff (Myers' O(ND) algorithm) and its unified-format rendering, as `diff -u` prints it. Pure. */

/** One line of an edit script: kept, removed from `a`, or added from `b`. */
export interface DiffOp {
  type: "equal" | "delete" | "insert";
  line: string;
}

/**
 * The shortest edit script turning `a` into `b` (Myers 1986: greedy furthest-reaching D-paths, then a
 * backtrack through the saved frontiers). Within each change, deletions are listed before insertions.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  // v[k + offset] = furthest x reached on diagonal k; one saved copy per D for the backtrack.
  let v = new Array<number>(2 * max + 3).fill(0);
  const trace: number[][] = [];
  let found = n === 0 && m === 0;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && at(v, k - 1 + offset) < at(v, k + 1 + offset));
      let x = down ? at(v, k + 1 + offset) : at(v, k - 1 + offset) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[k + offset] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  trace.push(v);
  return deletionsFirst(backtrack(a, b, trace, offset));
}

/** Reorders each run of changes so its deletions precede its insertions (the same edit, easier to read). */
function deletionsFirst(ops: DiffOp[]): DiffOp[] {
  const out: DiffOp[] = [];
  let deletes: DiffOp[] = [];
  let inserts: DiffOp[] = [];
  const flush = () => {
    out.push(...deletes, ...inserts);
    deletes = [];
    inserts = [];
  };
  for (const op of ops) {
    if (op.type === "delete") deletes.push(op);
    else if (op.type === "insert") inserts.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

function at(v: readonly number[], index: number): number {
  return v[index] ?? 0;
}

function backtrack(a: readonly string[], b: readonly string[], trace: number[][], offset: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = a.length;
  let y = b.length;
  // trace[d] is the frontier before step d; the final frontier is the last entry.
  for (let d = trace.length - 2; d >= 0; d--) {
    const v = trace[d] ?? [];
    const k = x - y;
    const down = k === -d || (k !== d && at(v, k - 1 + offset) < at(v, k + 1 + offset));
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(v, prevK + offset);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ type: "equal", line: a[x] ?? "" });
    }
    if (d > 0) {
      if (down) {
        y--;
        ops.push({ type: "insert", line: b[y] ?? "" });
      } else {
        x--;
        ops.push({ type: "delete", line: a[x] ?? "" });
      }
    }
  }
  return ops.reverse();
}

/** Lines of a text; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Labels and context size of a unified diff. */
export interface UnifiedDiffOptions {
  /** After `--- `. */
  fromLabel: string;
  /** After `+++ `. */
  toLabel: string;
  /** Unchanged lines around each change (default 3, as `diff -u`). */
  context?: number;
}

/** A unified diff of two texts; the empty string when they have the same lines. */
export function unifiedDiff(a: string, b: string, options: UnifiedDiffOptions): string {
  const hunks = formatHunks(diffLines(splitLines(a), splitLines(b)), options.context ?? 3);
  if (hunks.length === 0) return "";
  return `${[`--- ${options.fromLabel}`, `+++ ${options.toLabel}`, ...hunks].join("\n")}\n`;
}

/** Hunks (`@@ -a,n +b,m @@` and their lines) of an edit script; changes closer than 2×context merge. */
export function formatHunks(ops: readonly DiffOp[], context: number): string[] {
  const changed = ops.flatMap((op, i) => (op.type === "equal" ? [] : [i]));
  const first = changed[0];
  if (first === undefined) return [];
  // Group change indexes into hunks: [start, end) over ops.
  const ranges: Array<[number, number]> = [];
  let start = Math.max(0, first - context);
  let last = first;
  for (const i of changed.slice(1)) {
    if (i - last - 1 > 2 * context) {
      ranges.push([start, Math.min(ops.length, last + context + 1)]);
      start = i - context;
    }
    last = i;
  }
  ranges.push([start, Math.min(ops.length, last + context + 1)]);

  // Line numbers in a and b at each op index.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let ai = 0;
  let bi = 0;
  for (const op of ops) {
    aLine.push(ai);
    bLine.push(bi);
    if (op.type !== "insert") ai++;
    if (op.type !== "delete") bi++;
  }

  const out: string[] = [];
  for (const [from, to] of ranges) {
    const slice = ops.slice(from, to);
    const aCount = slice.filter((op) => op.type !== "insert").length;
    const bCount = slice.filter((op) => op.type !== "delete").length;
    out.push(`@@ -${range(aLine[from] ?? 0, aCount)} +${range(bLine[from] ?? 0, bCount)} @@`);
    for (const op of slice)
      out.push(`${op.type === "equal" ? " " : op.type === "delete" ? "-" : "+"}${op.line}`);
  }
  return out;
}

/** `start,count` as GNU diff writes it: 1-based; an empty range names the line before it; `,1` is omitted. */
function range(zeroBasedStart: number, count: number): string {
  if (count === 0) return `${zeroBasedStart},0`;
  return count === 1 ? `${zeroBasedStart + 1}` : `${zeroBasedStart + 1},${count}`;
}
