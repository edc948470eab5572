/**
 * The fields of tensor-core's `ImageDataset` that metalearning needs; any `ImageDataset` fits.
 * Images are row-major `count × height × width × channels` in [0, 1].
 */
export interface LabelledImages {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Accuracy over many episodes (or seeds): the mean and a 95% confidence interval. */
export interface AccuracySummary {
  mean: number;
  /** Half-width of the 95% Student-t confidence interval of the mean. */
  ci95: number;
  /** Sample standard deviation across episodes. */
  std: number;
  /** How many episodes (or seeds) were averaged. */
  n: number;
}
