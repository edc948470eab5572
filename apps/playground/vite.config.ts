import { defineConfig, type Plugin } from "vite";

type MnistAssets = ReadonlyMap<string, Uint8Array | string>;

// The embedded MNIST digits as compact binary assets (uint8 pixels + labels) so the browser never parses
// the package's 20 MB of JSON. Decoding and the split come from @dl/tensor-core.
async function buildMnistAssets(): Promise<MnistAssets> {
  const { loadDataset } = await import("@dl/tensor-core");
  const assets = new Map<string, Uint8Array | string>();
  for (const split of ["train", "test"] as const) {
    const ds = await loadDataset("mnist", { split });
    const pixels = new Uint8Array(ds.images.length);
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round((ds.images[i] ?? 0) * 255);
    assets.set(`data/mnist-${split}-images.u8`, pixels);
    assets.set(`data/mnist-${split}-labels.u8`, Uint8Array.from(ds.labels));
    assets.set(
      `data/mnist-${split}.json`,
      JSON.stringify({ count: ds.count, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames }),
    );
  }
  return assets;
}

// Emitted into dist/ by `vite build` and served from memory by `vite` (dev), so every page works either way.
function mnistAssets(): Plugin {
  let assets: Promise<MnistAssets> | undefined;
  const load = (): Promise<MnistAssets> => (assets ??= buildMnistAssets());
  return {
    name: "dl-mnist-assets",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = /\/(data\/mnist-[a-z]+(?:-images\.u8|-labels\.u8|\.json))(?:\?.*)?$/.exec(req.url ?? "")?.[1];
        if (name === undefined) {
          next();
          return;
        }
        load().then(
          (map) => {
            const body = map.get(name);
            if (body === undefined) {
              next();
              return;
            }
            res.setHeader("Content-Type", typeof body === "string" ? "application/json" : "application/octet-stream");
            res.setHeader("Cache-Control", "no-cache");
            res.end(body);
          },
          (error: unknown) => next(error),
        );
      });
    },
    async generateBundle() {
      for (const [fileName, source] of await load()) this.emitFile({ type: "asset", fileName, source });
    },
  };
}

// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, so tfjs-wasm loads its
// threaded SIMD binary. Every resource the pages load is same-origin (module chunks, .wasm, data/,
// blob workers), which require-corp admits. DL_PLAYGROUND_ISOLATION=off serves without it, for the
// single-thread measurement in the README.
const isolationHeaders: Record<string, string> =
  process.env["DL_PLAYGROUND_ISOLATION"] === "off"
    ? {}
    : { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@dl/source", "module", "browser", "development|production"] },
  plugins: [mnistAssets()],
  build: { target: "es2022", chunkSizeWarningLimit: 4096 },
  server: { port: 5173, strictPort: false, headers: isolationHeaders },
  preview: { port: 4873, strictPort: false, headers: isolationHeaders },
});
