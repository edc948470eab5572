import { decode } from "fast-png";
import { describe, expect, it } from "vitest";

import { DlError } from "../errors.js";
import { confusionMatrix } from "./confusion.js";
import { formatMetric, pngFigure, renderReportHtml, reportFiles, reportJson, svgFigure, type Report } from "./html.js";
import { createImage } from "./raster.js";
import { lineChartSvg } from "./svg.js";

const evil = `<img src=x onerror="alert('x')">&amp;`;

function sampleReport(): Report {
  return {
    title: `Report ${evil}`,
    subtitle: evil,
    sections: [
      {
        id: "foundation",
        title: `Foundation ${evil}`,
        text: `First paragraph ${evil}\n\nSecond paragraph.`,
        metrics: { [`acc ${evil}`]: 0.98765432, epochs: 3, backend: evil },
        tables: [{ caption: evil, columns: ["class", evil], rows: [[evil, 0.5]] }],
        figures: [
          pngFigure("grid", `Caption ${evil}`, createImage(3, 2, "#ff0000"), { pixelated: true, displayWidth: 90 }),
          svgFigure("curve", "loss", lineChartSvg([{ name: "loss", y: [1, 0.5] }])),
        ],
      },
      { id: "tsne", title: "t-SNE", error: `failed: ${evil}` },
    ],
  };
}

describe("renderReportHtml", () => {
  it("lets text cells with spaces wrap so wide tables fit their card, never numbers or single tokens", () => {
    const html = renderReportHtml({ title: "t", sections: [{ id: "s", title: "s", tables: [{ columns: ["a", "b", "c"], rows: [["0.508 [0.426, 0.590]", "8.18e-22", 0.5]] }] }] });
    expect(html).toContain('<td class="wrap">0.508 [0.426, 0.590]</td><td>8.18e-22</td><td class="num">0.5</td>');
    expect(html).toMatch(/td \{ white-space: nowrap; \}\ntd\.wrap \{ white-space: normal;/);
  });

  it("escapes all text and keeps only our own markup", () => {
    const html = renderReportHtml(sampleReport());
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain(`onerror="`);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;amp;");
    expect(html.startsWith("<!doctype html>")).toBe(true);
  });

  it("has a table of contents linking to every section, and marks failed sections", () => {
    const html = renderReportHtml(sampleReport());
    expect(html).toContain(`<a href="#section-foundation">`);
    expect(html).toContain(`<a href="#section-tsne">t-SNE</a> ⚠`);
    expect(html).toContain(`<section id="section-foundation">`);
    expect(html).toContain(`<section id="section-tsne">`);
    expect(html).toContain(`<div class="error" role="alert">failed: &lt;img`);
    expect((html.match(/<p>/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it("inlines PNGs as data URIs that decode to the figure's pixels, and SVG inline", () => {
    const html = renderReportHtml(sampleReport());
    const b64 = /<img src="data:image\/png;base64,([^"]+)"/.exec(html)?.[1];
    expect(b64).toBeDefined();
    const png = decode(Buffer.from(b64!, "base64"));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([...png.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    expect(html).toContain(`width="90" class="pixelated"`);
    expect(html).toContain("<polyline ");
  });

  it("references nothing on the network", () => {
    const html = renderReportHtml(sampleReport());
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/url\(/);
    expect(html).toContain("default-src 'none'");
  });

  it("formats metrics for humans", () => {
    const html = renderReportHtml(sampleReport());
    expect(html).toContain(">0.9877<");
    expect(formatMetric(3)).toBe("3");
    expect(formatMetric(1.23456e-5)).toBe("1.235e-5");
    expect(formatMetric(NaN)).toBe("NaN");
  });

  it("rejects duplicate section or figure ids", () => {
    const r = sampleReport();
    expect(() => renderReportHtml({ ...r, sections: [...r.sections, { id: "tsne", title: "again" }] })).toThrow(DlError);
    const img = createImage(1, 1);
    expect(() =>
      renderReportHtml({ title: "x", sections: [{ id: "a", title: "a", figures: [pngFigure("f", "1", img), pngFigure("f", "2", img)] }] }),
    ).toThrow(/unique ids/);
  });
});

describe("reportFiles / reportJson", () => {
  it("lists index.html, every figure file and report.json pointing at them", () => {
    const files = reportFiles(sampleReport());
    expect(files.map((f) => f.path)).toEqual(["index.html", "figures/foundation-grid.png", "figures/foundation-curve.svg", "report.json"]);
    const json = JSON.parse(files[3]!.contents as string) as { sections: { figures: { file: string }[] }[] };
    expect(json.sections[0]!.figures.map((f) => f.file)).toEqual(["figures/foundation-grid.png", "figures/foundation-curve.svg"]);
    expect(JSON.stringify(reportJson(sampleReport()))).not.toContain('"png"');
    const png = decode(files[1]!.contents as Uint8Array);
    expect(png.width).toBe(3);
  });
});

describe("file-only figures and wide tables", () => {
  it("writes a fileOnly figure as a file without showing it on the page, and lets tables scroll inside their card", () => {
    const report: Report = {
      title: "t",
      sections: [
        {
          id: "s",
          title: "S",
          tables: [{ columns: ["a"], rows: [["x"]] }],
          figures: [svgFigure("chart", "the chart", lineChartSvg([{ name: "y", y: [1, 2] }])), pngFigure("chart-raster", "the chart as PNG", createImage(4, 4), { fileOnly: true })],
        },
      ],
    };
    const html = renderReportHtml(report);
    expect(html).not.toContain("the chart as PNG");
    expect(html.match(/<figure>/g)?.length).toBe(1);
    expect(html).toContain('<div class="table-wrap"><table>');
    expect(reportFiles(report).map((f) => f.path)).toContain("figures/s-chart-raster.png");
  });
});

describe("confusionMatrix", () => {
  it("counts true × predicted pairs", () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect([...m]).toEqual([1, 1, 0, 0, 1, 0, 1, 0, 2]);
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/classes must be integers/);
  });
});
