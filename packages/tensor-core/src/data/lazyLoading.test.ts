// `@dl/tensor-core/host` (Node) loads papaparse and jpeg-js only when a CSV or an image folder is read, and pngjs
// (its PNG writer on Node's zlib) only when the first PNG is written: `dl tsne` and `dl --help` start without them. Checked in a fresh process, where the module cache starts empty.
import { describe, expect, it } from "vitest";

import { runInFreshProcess } from "@dl/vitest-config/freshProcess";

// The child imports the host entry (from source), then reads a CSV and an image folder, reporting which of the
// parsers and the PNG writer Node has loaded (CommonJS packages) before and after each read.
const WATCH = { papaparse: "papaparse", jpeg: "jpeg-js", pngjs: "/pngjs/" };

const CHILD = `
import { mkdtemp, writeFile, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
const host = await import("@dl/tensor-core/host");
const atStart = loaded();
const dir = await mkdtemp(join(tmpdir(), "dl-lazy-"));
await writeFile(join(dir, "x.csv"), "a,b\\n1,2\\n3,4.5\\n");
const csv = await host.readCsv(join(dir, "x.csv"));
const afterCsv = loaded();
await mkdir(join(dir, "img"));
const gray = { width: 2, height: 2, channels: 1, data: new Uint8Array([0, 255, 128, 64]) };
await writeFile(join(dir, "img", "a.png"), host.encodePng(gray));
const folder = await host.readImageFolder(join(dir, "img"));
const afterImages = loaded();
await rm(dir, { recursive: true, force: true });
report({ atStart, afterCsv, afterImages, csv: { shape: csv.shape, data: Array.from(csv.data) }, images: { count: folder.count, pixels: Array.from(folder.images) } });
`;

describe("the host entry's lazy parsers", () => {
  it("loads papaparse, jpeg-js and pngjs on the first CSV read, image-folder read and PNG written, and those work", async () => {
    const out = (await runInFreshProcess(import.meta.url, CHILD, { watch: WATCH })) as {
      atStart: { papaparse: boolean; jpeg: boolean; pngjs: boolean };
      afterCsv: { papaparse: boolean; jpeg: boolean; pngjs: boolean };
      afterImages: { papaparse: boolean; jpeg: boolean; pngjs: boolean };
      csv: { shape: number[]; data: number[] };
      images: { count: number; pixels: number[] };
    };
    expect(out.atStart).toEqual({ papaparse: false, jpeg: false, pngjs: false });
    expect(out.afterCsv).toEqual({ papaparse: true, jpeg: false, pngjs: false });
    // The PNG written before the folder read went through pngjs: the Node entry installed its writer.
    expect(out.afterImages).toEqual({ papaparse: true, jpeg: true, pngjs: true });
    expect(out.csv).toEqual({ shape: [2, 2], data: [1, 2, 3, 4.5] });
    // One 2×2 grey image, scaled to [0, 1].
    expect(out.images.count).toBe(1);
    expect(out.images.pixels.map((v) => Math.round(v * 255))).toEqual([0, 255, 128, 64]);
  }, 120_000);
});
