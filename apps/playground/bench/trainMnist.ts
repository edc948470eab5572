// Times the Train MNIST page (3 epochs of the default MLP on the embedded MNIST, batch 64) in headless
// Chromium, served from the built dist/ by `vite preview`, in each backend/threads setting a user can
// meet on a machine without a GPU. After `pnpm build`: `pnpm bench:browser [--repeat N] [--only a,b]`.
// The page reports its own training time ("Done in … s"); "page s" adds start-up and data loading.
import os from "node:os";

import { startPlayground } from "../src/test-utils/browser.js";

interface Setting {
  name: string;
  /** Served with COOP/COEP (SharedArrayBuffer, tfjs-wasm's threaded build). */
  isolated: boolean;
  /** `?backend=`; undefined: the automatic choice. */
  backend?: string;
  /** Logical cores the page sees (CDP override); undefined: the machine's. */
  cores?: number;
}

const SETTINGS: readonly Setting[] = [
  { name: "auto", isolated: true },
  { name: "wasm-not-isolated", isolated: false, backend: "wasm" },
  { name: "wasm-isolated", isolated: true, backend: "wasm" },
  { name: "wasm-isolated-4-cores-reported", isolated: true, backend: "wasm", cores: 4 },
  { name: "webgl-swiftshader", isolated: true, backend: "webgl" },
];

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}
const repeat = Number(argValue("--repeat") ?? "1");
const only = argValue("--only")?.split(",");

interface Row {
  setting: string;
  load: string;
  backend: string;
  threads: string;
  isolated: boolean;
  trainSeconds: number;
  pageSeconds: number;
  accuracy: number;
  header: string;
}

async function runOnce(setting: Setting): Promise<Omit<Row, "setting" | "load">> {
  // vite.config.ts reads this when preview() loads it.
  process.env["DL_PLAYGROUND_ISOLATION"] = setting.isolated ? "on" : "off";
  const playground = await startPlayground("preview");
  try {
    const started = performance.now();
    const { page } = await playground.open("foundation", {
      ...(setting.backend === undefined ? {} : { backend: setting.backend }),
      ...(setting.cores === undefined ? {} : { cores: setting.cores }),
    });
    await page.waitForSelector("[data-testid=accuracy][data-value]", { timeout: 1_800_000 });
    const pageSeconds = (performance.now() - started) / 1000;
    const status = (await page.textContent("[data-testid=status]")) ?? "";
    const accuracy = Number(await page.getAttribute("[data-testid=accuracy]", "data-value"));
    const header = await page.$eval("#backend", (el) => ({ text: el.textContent ?? "", data: { ...(el as HTMLElement).dataset } }));
    return {
      trainSeconds: Number(/Done in ([\d.]+) s/.exec(status)?.[1] ?? Number.NaN),
      pageSeconds,
      accuracy,
      isolated: await page.evaluate(() => crossOriginIsolated),
      backend: header.data["backend"] ?? "?",
      threads: header.data["threads"] ?? "-",
      header: header.text,
    };
  } finally {
    await playground.close();
  }
}

const rows: Row[] = [];
for (const setting of SETTINGS.filter((s) => only === undefined || only.includes(s.name))) {
  for (let r = 0; r < repeat; r++) {
    const load = (os.loadavg()[0] ?? 0).toFixed(2);
    const row = { setting: setting.name, load, ...(await runOnce(setting)) };
    rows.push(row);
    process.stderr.write(`${row.setting}: train ${row.trainSeconds.toFixed(1)} s, page ${row.pageSeconds.toFixed(1)} s, acc ${row.accuracy.toFixed(4)} | ${row.header}\n`);
  }
}

const cpu = os.cpus()[0]?.model ?? "?";
const lines = [
  `Train MNIST page, headless Chromium, ${os.cpus().length} CPUs (${cpu}), ${new Date().toISOString()}`,
  "",
  "| setting | backend | isolated | wasm threads | train s | page s | test acc | load avg |",
  "|---|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.setting} | ${r.backend} | ${String(r.isolated)} | ${r.threads} | ${r.trainSeconds.toFixed(1)} | ${r.pageSeconds.toFixed(1)} | ${r.accuracy.toFixed(4)} | ${r.load} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
