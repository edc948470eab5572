import { createRng } from "@dl/tensor-core";

/** Well-separated isotropic Gaussian clusters: `perCluster` points each, centres `spread` apart. Test helper. */
export function gaussianClusters(
  clusters: number,
  perCluster: number,
  d: number,
  seed: number,
  spread = 10,
): { data: Float32Array; labels: Int32Array; n: number } {
  const rng = createRng(seed);
  const n = clusters * perCluster;
  const centres = Float64Array.from({ length: clusters * d }, () => rng.normal() * spread);
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    labels[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = (centres[c * d + t] as number) + rng.normal();
  }
  return { data, labels, n };
}
