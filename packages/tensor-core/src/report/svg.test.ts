import { describe, expect, it } from "vitest";

import { textWidth } from "./charts.js";
import { barChartSvg, heatmapSvg, imageGridSvg, lineChartSvg, scatterSvg } from "./svg.js";

const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

describe("SVG charts", () => {
  it("scatterSvg draws one circle per finite point and a legend of class names", () => {
    const svg = scatterSvg([0, 0, 1, 2, NaN, 1, 3, 3], { labels: [0, 1, 1, 0], classNames: ["zero", "one"], title: "t-SNE" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(count(svg, /<circle /g)).toBe(3);
    expect(svg).toContain(">zero</text>");
    expect(svg).toContain(">one</text>");
    expect(svg).toContain(">t-SNE</text>");
  });

  it("escapes every piece of text", () => {
    const evil = `<script>alert("x")</script>&`;
    const svgs = [
      lineChartSvg([{ name: evil, y: [1, 2] }], { title: evil, xLabel: evil, yLabel: evil }),
      barChartSvg([{ label: evil, value: 1, mark: evil }], { title: evil }),
      scatterSvg([0, 0], { labels: [0], classNames: [evil] }),
      heatmapSvg([1], 1, 1, { rowLabels: [evil], colLabels: [evil] }),
    ];
    for (const svg of svgs) {
      expect(svg).not.toContain("<script>");
      expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;");
    }
  });

  it("lineChartSvg labels round y ticks and draws one polyline per series", () => {
    const svg = lineChartSvg(
      [
        { name: "loss", x: [1, 2, 3], y: [0.9, 0.4, 0.25] },
        { name: "accuracy", x: [1, 2, 3], y: [0.7, 0.9, 0.95] },
      ],
      { xLabel: "epoch" },
    );
    expect(count(svg, /<polyline /g)).toBe(2);
    for (const tick of ["0.2", "0.4", "0.6", "0.8", "1.0"]) expect(svg).toContain(`>${tick}</text>`);
  });

  it("lineChartSvg draws one capped whisker per point with a non-zero error, and its y ticks cover y ± error", () => {
    const svg = lineChartSvg([{ name: "gap", x: [6, 8, 10], y: [4, 2, 1.5], error: [1, 0, 0.5] }]);
    expect(count(svg, /<path d="M[^"]*V[^"]*h8[^"]*h8"/g)).toBe(2);
    // 4 + 1 = 5 and 1.5 − 0.5 = 1 lie inside the ticks.
    expect(svg).toContain(">5</text>");
    expect(svg).toContain(">1</text>");
  });

  it("barChartSvg draws error bars and significance marks above the whisker", () => {
    const svg = barChartSvg(
      [
        { label: "striped", value: 0.8, error: 0.1, mark: "**" },
        { label: "random", value: 0.5, error: 0.2 },
      ],
      { height: 300 },
    );
    expect(count(svg, /<rect x=/g)).toBe(2);
    expect(count(svg, /<path d=/g)).toBe(2);
    expect(svg).toContain(">**</text>");
    const markY = Number(/y="([\d.]+)"[^>]*>\*\*<\/text>/.exec(svg)?.[1]);
    const whiskerTop = Number(/<path d="M[\d.]+,([\d.]+)V/.exec(svg)?.[1]);
    expect(markY).toBeLessThan(whiskerTop);
  });

  it("barChartSvg keeps a long mark on the last (or first) bar inside the viewBox", () => {
    const mark = "thick-strokes 1.00";
    // DejaVu Sans 11 px advances (t h i c k - s r o e 1 . 0 and space), 10 % more for bold.
    const markWidth = 1.1 * (4 + 7 + 3 + 6 + 6 + 4 + 6 + 4 + 5 + 7 + 6 + 6 + 4 + 6 + 3 + 7 + 3 + 7 + 7);
    for (const at of [0, 9]) {
      const bars = Array.from({ length: 10 }, (_, i) => ({ label: String(i), value: i / 10, ...(i === at ? { mark } : {}) }));
      const svg = barChartSvg(bars, { title: "null", width: 480 });
      const viewBoxWidth = Number(/viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]);
      const x = Number(new RegExp(`<text x="([\\d.]+)"[^>]*>${mark}</text>`).exec(svg)?.[1]);
      expect(x - markWidth / 2).toBeGreaterThanOrEqual(0);
      expect(x + markWidth / 2).toBeLessThanOrEqual(viewBoxWidth);
    }
    // Short marks stay centred on their bar.
    const svg = barChartSvg([{ label: "a", value: 1, mark: "*" }, { label: "b", value: 1 }], { width: 480 });
    const star = Number(/<text x="([\d.]+)"[^>]*>\*<\/text>/.exec(svg)?.[1]);
    const rect = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    expect(star).toBeCloseTo(Number(rect?.[1]) + Number(rect?.[2]) / 2, 1);
  });

  it("barChartSvg stops a whisker past a fixed y domain at the frame, capping only the end inside it", () => {
    const svg = barChartSvg([{ label: "null", value: 0.85, error: 0.25 }], { yDomain: [0, 1], height: 300 });
    const path = /<path d="M([\d.]+),([\d.]+)V([\d.]+)([^"]*)"/.exec(svg);
    const gridTop = Math.min(...[...svg.matchAll(/<line x1="56" y1="([\d.]+)"/g)].map((m) => Number(m[1])));
    expect(Number(path?.[2])).toBe(gridTop);
    // One cap (at 0.85 − 0.25 = 0.6), none at the clipped top.
    expect(path?.[4]?.match(/H/g)).toHaveLength(1);
  });

  it("shrinks a title too long for the chart so that it fits (at least 8 px), and keeps 13 px otherwise", () => {
    const long = "soft nearest neighbours over T (20 episodes per curve, classes 5–9)";
    const svg = lineChartSvg([{ name: "a", x: [0, 1], y: [0, 1] }], { title: long, width: 480 });
    const size = Number(/font-size="([\d.]+)" font-weight="600">soft/.exec(svg)?.[1]);
    // Bold 13 px DejaVu Sans advances of the title, scaled to the chosen size, within the 480 px less margins.
    expect(size).toBeLessThan(13);
    expect(size).toBeGreaterThanOrEqual(8);
    expect(((size * 1.1) / 11) * textWidth(long)).toBeLessThanOrEqual(480 - 16);
    expect(lineChartSvg([{ name: "a", x: [0, 1], y: [0, 1] }], { title: "short", width: 480 })).toContain('font-size="13" font-weight="600">short');
  });

  it("heatmapSvg shades the largest cell darkest and prints values", () => {
    const svg = heatmapSvg([5, 0, 1, 9], 2, 2, { rowLabels: ["a", "b"], colLabels: ["a", "b"] });
    expect(count(svg, /<rect x=/g)).toBe(4);
    expect(svg).toContain('fill="rgb(8,48,107)"');
    expect(svg).toContain('fill="rgb(247,251,255)"');
    expect(svg).toContain(">9</text>");
    expect(() => heatmapSvg([1, 2, 3], 2, 2)).toThrow(/needs 4 values/);
  });
});

describe("imageGridSvg", () => {
  it("embeds each image as its own PNG with its caption, escaped", async () => {
    const { decode } = await import("fast-png");
    const images = new Float32Array([0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1]);
    const svg = imageGridSvg(images, 3, 2, 2, { columns: 2, scale: 3, captions: ["7 → 1", "<b>", "x"], captionColors: ["#d62728"] });
    const hrefs = [...svg.matchAll(/<image x="(\d+)" y="(\d+)" width="6" height="6" href="data:image\/png;base64,([^"]+)"/g)];
    expect(hrefs).toHaveLength(3);
    // Image 1 (second cell of the first row) is uniformly 0.5 gray.
    const second = decode(Buffer.from(hrefs[1]![3]!, "base64"));
    expect([second.width, second.height]).toEqual([2, 2]);
    expect(second.data[0]).toBe(128);
    const first = decode(Buffer.from(hrefs[0]![3]!, "base64"));
    expect([first.data[0], first.data[4]]).toEqual([0, 255]);
    // Cells lie on a 2-column grid: x of image 1 minus x of image 0 = image width × scale + gap.
    expect(Number(hrefs[1]![1]) - Number(hrefs[0]![1])).toBe(6 + 6);
    expect(Number(hrefs[2]![2])).toBeGreaterThan(Number(hrefs[0]![2]));
    expect(svg).toContain(`fill="#d62728">7 → 1</text>`);
    expect(svg).toContain(">&lt;b&gt;</text>");
  });
});

describe("lineChartSvg ticks", () => {
  it("ticks whole numbers only when every x is an integer (epochs)", () => {
    const svg = lineChartSvg([{ name: "loss", x: [1, 2, 3, 4], y: [1, 0.5, 0.3, 0.2] }]);
    const xTickLabels = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(xTickLabels).toEqual(["1", "2", "3", "4"]);
    const fractional = lineChartSvg([{ name: "loss", x: [0.5, 1, 1.5], y: [1, 0.5, 0.3] }]);
    expect(fractional).toMatch(/text-anchor="middle">\d+\.\d+<\/text>/);
  });
});
