import type { ImageDataset } from "@dl/tensor-core";

interface Manifest {
  count: number;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Loads the MNIST split emitted at build time (see vite.config.ts). */
export async function loadMnistSplit(split: "train" | "test"): Promise<ImageDataset> {
  const base = `${import.meta.env.BASE_URL}data/mnist-${split}`;
  const manifest = (await (await fetch(`${base}.json`)).json()) as Manifest;
  const [pixels, labels] = await Promise.all([fetchBytes(`${base}-images.u8`), fetchBytes(`${base}-labels.u8`)]);
  const images = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) images[i] = (pixels[i] ?? 0) / 255;
  return { name: "mnist", images, labels: Int32Array.from(labels), ...manifest };
}
