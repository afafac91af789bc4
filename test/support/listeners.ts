/**
 * Which addresses processes listen on, read from /proc (Linux): /proc/net/tcp{,6} give each listening socket's
 * address and inode, /proc/<pid>/fd maps inodes to processes. No `ss` needed.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** One listening TCP socket. */
export interface Listener {
  pid: number;
  /** Dotted IPv4, or IPv6 in full hex groups (`::ffff:a.b.c.d` for mapped IPv4). */
  address: string;
  port: number;
}

const LISTEN_STATE = "0A";

function ipv4(hex: string): string {
  // /proc prints the 32-bit address in host byte order (little-endian on x86 and arm64).
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse().join(".");
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8);
    const le = [6, 4, 2, 0].map((j) => word.slice(j, j + 2)).join("");
    words.push(le.slice(0, 4), le.slice(4, 8));
  }
  if (words.slice(0, 5).every((w) => w === "0000") && words[5]?.toLowerCase() === "ffff") {
    return `::ffff:${ipv4(hex.slice(24))}`;
  }
  return words.map((w) => w.toLowerCase()).join(":");
}

/** Listening sockets by inode, from one /proc/net table. */
function listeningByInode(file: string, v6: boolean): Map<string, { address: string; port: number }> {
  const out = new Map<string, { address: string; port: number }>();
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, , state] = fields;
    const inode = fields[9];
    if (!local || state !== LISTEN_STATE || !inode) continue;
    const [addr = "", port = "0"] = local.split(":");
    out.set(inode, { address: v6 ? ipv6(addr) : ipv4(addr), port: Number.parseInt(port, 16) });
  }
  return out;
}

function socketInodes(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return match?.[1] ? [match[1]] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** Every listening TCP socket of the given processes. */
export function listenersOf(pids: readonly number[]): Listener[] {
  const table = new Map([
    ...listeningByInode("/proc/net/tcp", false),
    ...listeningByInode("/proc/net/tcp6", true),
  ]);
  return pids.flatMap((pid) =>
    socketInodes(pid).flatMap((inode) => {
      const socket = table.get(inode);
      return socket ? [{ pid, ...socket }] : [];
    }),
  );
}

/** `pid` and every process below it. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces; the parent pid is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {}
  }
  const out: number[] = [];
  const visit = (p: number): void => {
    out.push(p);
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return out;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  return (
    /^127\./.test(address) ||
    /^::ffff:127\./.test(address) ||
    address === "0000:0000:0000:0000:0000:0000:0000:0001"
  );
}
