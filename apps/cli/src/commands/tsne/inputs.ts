import { DlError, loadDataset, parseDatasetName, readNpy, sampleDataset, type NdArray } from "@dl/tensor-core/host";

import { InvalidOptionError } from "../../options.js";

/** Where `dl tsne` reads its points: one of `--input X.npy` (+ `--labels`) or `--data NAME`, and `--n`. */
export interface PointSourceOptions {
  input?: string;
  data?: string;
  labels?: string;
  n?: number;
}

export interface LoadedPoints {
  data: Float32Array;
  n: number;
  d: number;
  labels?: Int32Array;
  /** Names of the label values (embedded datasets), for the scatter's legend. */
  classNames?: readonly string[];
  /** Images for the mosaic: N × h × w gray in [0, 1]. */
  images?: { pixels: Float32Array; height: number; width: number };
  source: string;
}

function toFloat32(arr: NdArray): Float32Array {
  return arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>);
}

export async function loadPoints(opts: PointSourceOptions, seed: number): Promise<LoadedPoints> {
  if ((opts.input === undefined) === (opts.data === undefined)) {
    throw new InvalidOptionError("pass exactly one of --input X.npy or --data mnist|fashion-mnist.");
  }
  if (opts.data !== undefined) {
    if (opts.labels !== undefined) throw new InvalidOptionError("--labels goes with --input; --data brings its own labels.");
    const name = parseDatasetName(opts.data);
    let ds = await loadDataset(name, { split: "all" });
    if (opts.n !== undefined && opts.n < ds.count) ds = sampleDataset(ds, opts.n, seed, { stratified: true });
    const d = ds.height * ds.width * ds.channels;
    const images = ds.channels === 1 ? { images: { pixels: ds.images, height: ds.height, width: ds.width } } : {};
    return { data: ds.images, n: ds.count, d, labels: ds.labels, classNames: ds.classNames, ...images, source: name };
  }
  const arr = await readNpy(opts.input ?? "");
  if (arr.shape.length < 2) {
    throw new DlError("SHAPE_MISMATCH", `${opts.input ?? ""} has shape [${arr.shape.join(", ")}]; t-SNE needs an N × d array (or N × H × W images).`);
  }
  let n = arr.shape[0] ?? 0;
  const d = arr.shape.slice(1).reduce((a, b) => a * b, 1);
  let data = toFloat32(arr);
  let labels: Int32Array | undefined;
  if (opts.labels !== undefined) {
    const l = await readNpy(opts.labels);
    const raw = l.data as ArrayLike<number | bigint>;
    for (let i = 0; i < raw.length; i++) {
      const v = Number(raw[i]);
      // Labels name classes: a fraction or an out-of-range value would be silently truncated into another class.
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw new DlError("MALFORMED_FILE", `${opts.labels} holds ${String(raw[i])} at index ${i}; labels must be non-negative integers (class indices).`);
    }
    labels = Int32Array.from(raw, Number);
    if (labels.length !== n) {
      throw new DlError("SHAPE_MISMATCH", `${opts.labels} holds ${labels.length} labels but ${opts.input ?? ""} has N = ${n} rows; pass one label per row.`);
    }
  }
  if (opts.n !== undefined && opts.n < n) {
    n = opts.n;
    data = data.subarray(0, n * d);
    labels = labels?.subarray(0, n);
  }
  const [h, w, c] = arr.shape.slice(1);
  const images = h !== undefined && w !== undefined && (c === undefined || c === 1) ? { images: { pixels: data, height: h, width: w } } : {};
  return { data, n, d, ...(labels === undefined ? {} : { labels }), ...images, source: opts.input ?? "" };
}
