// Prepares models dl-lab did not train, for the README's "your model" run and the memory bench:
// nsfwjs 4.4.0 (an npm package) ships a Keras MobileNetV2 (162 layers, 224×224×3, uint8 weights,
// softmax head), an InceptionV3 and a converted-SavedModel MobileNetV2 (graph model), each wrapped
// in a JS module. This unwraps them into ordinary tfjs model folders, and writes Fashion-MNIST test
// images as PNG folders by label, so `dl embed --model DIR --images DIR` runs as a user would.
//
//   pnpm --filter @dl/bench third-party-models OUT_DIR [images per class, default 200]
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const out = resolve(process.argv[2] ?? "out/third-party");
const perClass = Number(process.argv[3] ?? 200);
const VERSION = "4.4.0";
mkdirSync(out, { recursive: true });

// The npm tarball, from the npm registry like every other package.
const pack = join(out, ".pack");
mkdirSync(pack, { recursive: true });
if (!readdirSync(pack).some((f) => f === "package")) {
  execFileSync("npm", ["pack", `nsfwjs@${VERSION}`, "--silent", "--pack-destination", pack], { stdio: "inherit" });
  execFileSync("tar", ["xzf", join(pack, `nsfwjs-${VERSION}.tgz`), "-C", pack]);
}
const require = createRequire(join(pack, "package", "package.json"));

interface ModelJson {
  weightsManifest: { paths: string[] }[];
}

for (const name of ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3"]) {
  const dir = join(pack, "package", "dist", "models", name);
  const modelJson = require(join(dir, "model.min.js")) as ModelJson;
  const target = join(out, name);
  mkdirSync(target, { recursive: true });
  for (const group of modelJson.weightsManifest) {
    for (const path of group.paths) {
      // Each shard is a module exporting the shard's bytes in base64.
      const base64 = require(join(dir, `${path}.min.js`)) as string;
      writeFileSync(join(target, path), Buffer.from(base64, "base64"));
    }
  }
  writeFileSync(join(target, "model.json"), JSON.stringify(modelJson));
  writeFileSync(join(target, "classes.txt"), ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"].join("\n"));
  console.error(`wrote ${target}`);
}

// Fashion-MNIST test images as PNGs in one folder per class (grey; the loader converts them to RGB).
const core = await import("@dl/tensor-core");
const test = await core.loadDataset("fashion-mnist", { split: "test" });
const images = join(out, "fashion-mnist");
const counts = new Array<number>(10).fill(0);
for (let i = 0; i < test.count; i++) {
  const label = test.labels[i] as number;
  if ((counts[label] as number) >= perClass) continue;
  counts[label] = (counts[label] as number) + 1;
  const folder = join(images, core.safeFileName(test.classNames[label] ?? String(label)));
  mkdirSync(folder, { recursive: true });
  const pixels = test.images.subarray(i * 784, (i + 1) * 784);
  const data = new Uint8ClampedArray(784 * 4);
  for (let p = 0; p < 784; p++) {
    const v = Math.round((pixels[p] as number) * 255);
    data.set([v, v, v, 255], p * 4);
  }
  writeFileSync(join(folder, `${i}.png`), core.encodePng({ width: 28, height: 28, channels: 4, data }));
}
console.error(`wrote ${images} (${counts.reduce((a, b) => a + b, 0)} images)`);
