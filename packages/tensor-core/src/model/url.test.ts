import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import "../backend/candidates.js";
import { initBackend } from "../backend/registry.js";
import { createDefaultModel } from "./architectures.js";
import { saveModel } from "./directory.js";
import { loadModelFromUrl } from "./url.js";

let dir: string;
let server: ReturnType<typeof createServer>;
let base: string;

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
  dir = await mkdtemp(join(tmpdir(), "dl-url-"));
  // A static server over the saved model folder stands in for a web host.
  server = createServer((req, res) => {
    const name = (req.url ?? "/").slice(1);
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("loadModelFromUrl", () => {
  it("loads a model folder served over HTTP with identical weights", async () => {
    const model = createDefaultModel("mlp", { seed: 9 });
    await saveModel(model, dir);
    const loaded = await loadModelFromUrl(`${base}/model.json`);
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
  });
  it("reports a missing model as MODEL_NOT_FOUND naming the URL", async () => {
    await expect(loadModelFromUrl(`${base}/nothing/model.json`)).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
    await expect(loadModelFromUrl(`${base}/nothing/model.json`)).rejects.toThrow(/nothing\/model\.json/);
  });
});
