/**
 * The page shell: one stylesheet and one small script, both inline and both allowed by hash in a strict
 * Content-Security-Policy (no other script, style, image, frame or form can run or load). Pure.
 *
 * The per-kind tables lay their rows out as fixed grids with `content-visibility: auto`, so the browser lays
 * out only the rows on screen: with 1,000 records that is what keeps a load well under 300 ms (a table's
 * automatic layout of every row cost over half a second in Chromium).
 */
import { createHash } from "node:crypto";
import { escapeHtml } from "./escape.js";

const STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--mute:#6e7781;--line:#d0d7de}
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem}
header{display:flex;gap:1rem;align-items:baseline;border-bottom:1px solid var(--line);padding:.6rem 0}
header a{font-weight:600;font-size:1.1rem;color:inherit;text-decoration:none}
#live-state{color:var(--mute);font-size:.85rem}#live-state.on{color:var(--ok)}
h2{font-size:1.05rem;margin:1.4rem 0 .4rem}h2 small{color:var(--mute);font-weight:400}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.75rem;text-transform:uppercase;color:var(--mute);font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.state{font-weight:600}.Ready{color:var(--ok)}.Reconciling{color:var(--warn)}.Stalled{color:var(--bad)}
.chips{display:flex;gap:1.5rem;font-size:1.2rem;margin:.4rem 0}
.ns{display:flex;flex-wrap:wrap;gap:.4rem}.nsbox{border:1px solid var(--line);border-radius:4px;padding:.2rem .5rem;font-size:.8rem}
.nsbox.bad{border-color:var(--bad)}
.c{display:inline-block;font-size:.75rem;border:1px solid var(--line);border-radius:3px;padding:0 .3rem;margin:0 .2rem .1rem 0;white-space:nowrap}
.c.True{border-color:var(--ok)}.c.False{border-color:var(--bad)}.lbl{color:var(--mute);font-size:.7rem}
progress{width:4rem;vertical-align:middle}
table.k{display:block}table.k thead,table.k tbody{display:block}
table.k tr{display:grid;align-items:start;border-bottom:1px solid var(--line)}
table.k td,table.k th{border:0;overflow-wrap:anywhere;min-width:0}table.k th{overflow-wrap:normal}
table.k tbody tr{content-visibility:auto;contain-intrinsic-size:auto 2.6em}
.k-FargateService tr{grid-template-columns:1fr 1.4fr minmax(7.5rem,.9fr) minmax(10rem,1.1fr) 1.4fr .6fr 1.4fr 1.6fr 1.6fr .5fr}
.k-CloudMapNamespace tr{grid-template-columns:1fr 1.4fr minmax(7.5rem,.9fr) minmax(10rem,1.1fr) 1.4fr 1.5fr 1.5fr 1.5fr .5fr}
.k-CatalogSync tr{grid-template-columns:1fr 1.2fr minmax(7.5rem,.9fr) minmax(10rem,1fr) 1.2fr 1.1fr .9fr .8fr .8fr .6fr 1.1fr .9fr .5fr}
.k-NamespacePolicy tr{grid-template-columns:1fr 1.4fr minmax(7.5rem,.9fr) minmax(10rem,1.1fr) 1.4fr 3fr .5fr}
pre{background:rgba(127,127,127,.08);padding:.6rem;overflow:auto;max-height:40rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:var(--mute)}dd{margin:0}
.dim{color:var(--mute)}.Warning{color:var(--bad)}
`;

const SCRIPT = `(() => {
  const root = document.getElementById("live");
  const badge = document.getElementById("live-state");
  const unit = [[172800, 86400, "d"], [7200, 3600, "h"], [120, 60, "m"], [0, 1, "s"]];
  const ages = () => {
    for (const t of document.querySelectorAll("time[data-age]")) {
      const s = Math.max(0, Math.floor((Date.now() - Date.parse(t.dateTime)) / 1000));
      if (Number.isNaN(s)) continue;
      const [, size, name] = unit.find(([min]) => s >= min);
      t.textContent = Math.floor(s / size) + name;
    }
  };
  const show = (text, on) => { badge.textContent = text; badge.className = on ? "on" : ""; };
  if (root === null || !("EventSource" in window)) return;
  const stream = new EventSource(root.dataset.stream);
  stream.onopen = () => show("live", true);
  stream.onerror = () => show("reconnecting…", false);
  stream.addEventListener("update", (e) => {
    const msg = JSON.parse(e.data);
    root.innerHTML = msg.html;
    document.title = msg.title;
    ages();
  });
  stream.addEventListener("bye", () => show("controller stopped; reconnecting…", false));
  setInterval(ages, 5000);
})();`;

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
}

/** The Content-Security-Policy of every page: nothing but this shell's own style and script, and the stream. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** A whole page: the shell around `body`, which the stream later replaces (same markup, same escaping). */
export function renderPage(input: { title: string; body: string; streamUrl: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(input.title)}</title><style>${STYLE}</style></head>
<body><header><a href="/">fargate-operator</a><span id="live-state">static</span></header>
<main id="live" data-stream="${escapeHtml(input.streamUrl)}">${input.body}</main>
<script>${SCRIPT}</script></body></html>
`;
}

/** A relative age with its timestamp, which the page's script keeps current (`<unknown>` without one). */
export function renderAge(iso: string | undefined, now: number): string {
  if (iso === undefined) return `<span class="dim">&lt;unknown&gt;</span>`;
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return `<span class="dim">&lt;unknown&gt;</span>`;
  const text =
    seconds < 120
      ? `${seconds}s`
      : seconds < 7200
        ? `${Math.floor(seconds / 60)}m`
        : seconds < 172_800
          ? `${Math.floor(seconds / 3600)}h`
          : `${Math.floor(seconds / 86_400)}d`;
  return `<time datetime="${escapeHtml(iso)}" data-age>${text}</time>`;
}
