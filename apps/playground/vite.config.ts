import { defineConfig, type Plugin } from "vite";

// Emits the embedded MNIST digits as compact binary assets (uint8 pixels + labels) so the browser
// never parses the package's 20 MB of JSON. Decoding and the split come from @dl/tensor-core.
function mnistAssets(): Plugin {
  return {
    name: "dl-mnist-assets",
    async generateBundle() {
      const { loadDataset } = await import("@dl/tensor-core");
      for (const split of ["train", "test"] as const) {
        const ds = await loadDataset("mnist", { split });
        const pixels = new Uint8Array(ds.images.length);
        for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round((ds.images[i] ?? 0) * 255);
        this.emitFile({ type: "asset", fileName: `data/mnist-${split}-images.u8`, source: pixels });
        this.emitFile({ type: "asset", fileName: `data/mnist-${split}-labels.u8`, source: Uint8Array.from(ds.labels) });
        this.emitFile({
          type: "asset",
          fileName: `data/mnist-${split}.json`,
          source: JSON.stringify({ count: ds.count, height: ds.height, width: ds.width, channels: ds.channels, classNames: ds.classNames }),
        });
      }
    },
  };
}

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@dl/source", "module", "browser", "development|production"] },
  plugins: [mnistAssets()],
  build: { target: "es2022", chunkSizeWarningLimit: 4096 },
  preview: { port: 4873, strictPort: false },
});
