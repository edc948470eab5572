import { assertArgument } from "../errors.js";
import { escapeHtml } from "./escape.js";
import { encodePng, pngDataUri } from "./png.js";
import type { RgbaImage } from "./raster.js";

/** A table of a report section; cells are text (escaped) or numbers (formatted). */
export interface Table {
  caption?: string;
  columns: readonly string[];
  rows: readonly (readonly (string | number)[])[];
}

export interface FigureBase {
  /** Unique within its section; names the written file (`figures/<section>-<id>.png`). */
  id: string;
  caption: string;
  /** Alternative text (default: the caption). */
  alt?: string;
  /** Width to show a PNG at in CSS pixels (e.g. to upscale a small grid); default natural size. */
  displayWidth?: number;
  /** Keep hard pixel edges when the browser scales a PNG (grids of digits). */
  pixelated?: boolean;
  /** Written as a file (e.g. a PNG twin of an SVG chart) but not shown again in the HTML page. */
  fileOnly?: boolean;
}

/** A figure: encoded PNG bytes, or an SVG document (from `scatterSvg`, `lineChartSvg`, …). */
export type Figure = FigureBase & ({ png: Uint8Array; svg?: undefined } | { svg: string; png?: undefined });

/** One part of a report; `html` is inserted unescaped, so it must come from code, never from user text. */
export interface ReportSection {
  id: string;
  title: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  metrics?: Readonly<Record<string, number | string>>;
  tables?: readonly Table[];
  figures?: readonly Figure[];
  html?: string;
  /** Set when the section failed: shown as an error box instead of (or above) its content. */
  error?: string;
}

export interface Report {
  title: string;
  subtitle?: string;
  sections: readonly ReportSection[];
}

/** A PNG figure from a raster (encodes it once). */
export function pngFigure(id: string, caption: string, image: RgbaImage, options: Omit<FigureBase, "id" | "caption"> = {}): Figure {
  return { id, caption, ...options, png: encodePng(image) };
}

/** An SVG figure. */
export function svgFigure(id: string, caption: string, svg: string, options: Omit<FigureBase, "id" | "caption"> = {}): Figure {
  return { id, caption, ...options, svg };
}

/** A number for humans: integers as is, others with 4 significant digits. */
export function formatMetric(value: number | string): string {
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
}

/** A file-name-safe slug: lower case letters, digits and dashes. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s === "" ? "x" : s;
}

/** Relative path of a figure's file as `writeReport` writes it. */
export function figurePath(section: Pick<ReportSection, "id">, figure: Figure): string {
  return `figures/${slug(section.id)}-${slug(figure.id)}.${figure.png === undefined ? "svg" : "png"}`;
}

function assertUniqueIds(report: Report): void {
  const sectionIds = new Set<string>();
  for (const s of report.sections) {
    assertArgument(!sectionIds.has(slug(s.id)), () => `Report sections need unique ids; "${s.id}" appears twice.`);
    sectionIds.add(slug(s.id));
    const figureIds = new Set<string>();
    for (const f of s.figures ?? []) {
      assertArgument(!figureIds.has(slug(f.id)), () => `Figures of section "${s.id}" need unique ids; "${f.id}" appears twice.`);
      figureIds.add(slug(f.id));
    }
  }
}

const CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #666; --line: #ddd; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fafafa; }
header, main, nav { max-width: 1040px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 28px; }
h1 { margin: 0 0 4px; font-size: 28px; }
.subtitle { color: var(--muted); margin: 0 0 12px; }
nav { margin-bottom: 8px; }
nav ol { margin: 0; padding-left: 20px; columns: 2; }
nav a { color: var(--accent); text-decoration: none; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 20px 16px; margin: 16px 0; }
h2 { font-size: 20px; margin: 12px 0 8px; }
.metrics { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
.metrics li { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.metrics .k { color: var(--muted); font-size: 12px; display: block; }
.metrics .v { font-weight: 600; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; }
th { vertical-align: bottom; }
td { white-space: nowrap; }
td.wrap { white-space: normal; min-width: 6em; }
td.num { text-align: right; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 8px 0; max-width: 100%; }
figure img, figure svg { max-width: 100%; height: auto; display: block; border: 1px solid var(--line); background: #fff; }
img.pixelated { image-rendering: pixelated; }
figcaption { color: var(--muted); font-size: 13px; max-width: 520px; margin-top: 4px; }
.error { border: 1px solid #d62728; background: #fdecea; color: #8a1c1c; border-radius: 6px; padding: 8px 12px; white-space: pre-wrap; }
`;

function renderText(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join("\n");
}

function renderMetrics(metrics: Readonly<Record<string, number | string>>): string {
  const items = Object.entries(metrics).map(
    ([k, v]) => `<li><span class="k">${escapeHtml(k)}</span><span class="v">${escapeHtml(formatMetric(v))}</span></li>`,
  );
  return items.length === 0 ? "" : `<ul class="metrics">${items.join("")}</ul>`;
}

function renderTable(table: Table): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows = table.rows
    // Text with spaces may wrap (so wide tables fit their card); numbers and single tokens such as "8.18e-22" never break.
    .map((row) => `<tr>${row.map((cell) => (typeof cell === "number" ? `<td class="num">${escapeHtml(formatMetric(cell))}</td>` : `<td${cell.includes(" ") ? ' class="wrap"' : ""}>${escapeHtml(cell)}</td>`)).join("")}</tr>`)
    .join("\n");
  const caption = table.caption === undefined ? "" : `<caption>${escapeHtml(table.caption)}</caption>`;
  return `<div class="table-wrap"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`;
}

function renderFigure(figure: Figure): string {
  const caption = `<figcaption>${escapeHtml(figure.caption)}</figcaption>`;
  if (figure.png !== undefined) {
    const width = figure.displayWidth === undefined ? "" : ` width="${Math.round(figure.displayWidth)}"`;
    const cls = figure.pixelated === true ? ` class="pixelated"` : "";
    return `<figure><img src="${pngDataUri(figure.png)}" alt="${escapeHtml(figure.alt ?? figure.caption)}"${width}${cls}>${caption}</figure>`;
  }
  return `<figure>${stripXmlProlog(figure.svg)}${caption}</figure>`;
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, "");
}

function renderSection(section: ReportSection): string {
  const id = `section-${slug(section.id)}`;
  const parts = [`<section id="${id}">`, `<h2>${escapeHtml(section.title)}</h2>`];
  if (section.error !== undefined) parts.push(`<div class="error" role="alert">${escapeHtml(section.error)}</div>`);
  if (section.text !== undefined) parts.push(renderText(section.text));
  if (section.metrics !== undefined) parts.push(renderMetrics(section.metrics));
  for (const t of section.tables ?? []) parts.push(renderTable(t));
  // Section HTML (e.g. a legend for the figures) comes before the figures it explains.
  if (section.html !== undefined) parts.push(section.html);
  const shown = (section.figures ?? []).filter((f) => f.fileOnly !== true);
  if (shown.length > 0) parts.push(`<div class="figures">\n${shown.map(renderFigure).join("\n")}\n</div>`);
  parts.push(`</section>`);
  return parts.join("\n");
}

/**
 * One self-contained HTML page: inline CSS, PNGs as data URIs, SVG inline, a table of contents; all
 * text escaped. A Content-Security-Policy forbids every network fetch, so the file works offline.
 */
export function renderReportHtml(report: Report): string {
  assertUniqueIds(report);
  const toc = report.sections
    .map((s) => `<li><a href="#section-${slug(s.id)}">${escapeHtml(s.title)}</a>${s.error === undefined ? "" : " ⚠"}</li>`)
    .join("");
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<header><h1>${escapeHtml(report.title)}</h1>${report.subtitle === undefined ? "" : `<p class="subtitle">${escapeHtml(report.subtitle)}</p>`}</header>`,
    `<nav aria-label="Contents"><ol>${toc}</ol></nav>`,
    "<main>",
    ...report.sections.map(renderSection),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** The report as JSON-ready data: figures point to their files instead of carrying bytes. */
export function reportJson(report: Report): unknown {
  return {
    title: report.title,
    ...(report.subtitle === undefined ? {} : { subtitle: report.subtitle }),
    sections: report.sections.map((s) => ({
      ...s,
      figures: (s.figures ?? []).map((f) => ({
        id: f.id,
        caption: f.caption,
        file: figurePath(s, f),
      })),
    })),
  };
}

/** Every file of a written report: `index.html`, `report.json` and one file per figure. */
export function reportFiles(report: Report): { path: string; contents: string | Uint8Array }[] {
  const html = renderReportHtml(report);
  const files: { path: string; contents: string | Uint8Array }[] = [{ path: "index.html", contents: html }];
  for (const s of report.sections) {
    for (const f of s.figures ?? []) files.push({ path: figurePath(s, f), contents: f.png ?? f.svg ?? "" });
  }
  files.push({ path: "report.json", contents: `${JSON.stringify(reportJson(report), null, 2)}\n` });
  return files;
}
