import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

import { DlError, assertArgument, createRng } from "@dl/tensor-core";

import type { Gan } from "./gan.js";

/**
 * BigGAN's standing statistics (Brock et al. 2019, appendix C.1): at sampling time, G's batch-norm statistics are
 * recomputed by running the sampling G in training mode over `batches` batches of `batchSize` draws of z (and uniform
 * labels) and averaging the per-batch means and variances, instead of the moving averages kept during training (which,
 * for the EMA generator, average the statistics of the trained G, not of the averaged weights).
 */
export interface StandingStatistics {
  batches: number;
  batchSize: number;
}

/** The seed of the standing draws: apart from the sampling draws' (99 …, 1000 + epoch) and the truncation rule's (200–203). */
const STANDING_SEED = 17;

export function assertStandingStatistics(settings: StandingStatistics): void {
  const { batches, batchSize } = settings;
  assertArgument(
    Number.isInteger(batches) && batches >= 1 && batches <= 1000 && Number.isInteger(batchSize) && batchSize >= 2 && batchSize <= 4096,
    () => `standingStatistics needs whole numbers: batches in 1 … 1,000 and batchSize in 2 … 4,096 (e.g. 25 batches of 256), got ${JSON.stringify(settings)}.`,
  );
}

/**
 * Replaces the moving means and variances of the sampling generator's batch-norm layers (the EMA G when there is one)
 * by standing statistics, in place: seeded, so the same GAN gets the same statistics. The checkpoint's own statistics
 * are lost in this GAN (save before, not after: a resumed run continues from the moving averages).
 */
export function applyStandingStatistics(gan: Gan, settings: StandingStatistics, seed = STANDING_SEED): void {
  assertStandingStatistics(settings);
  const g = gan.generatorEma ?? gan.generator;
  const norms = g.layers.filter((l) => l.getClassName() === "BatchNormalization");
  if (norms.length === 0) throw new DlError("INVALID_ARGUMENT", "standingStatistics recompute G's batch-norm statistics, but this G has no batch norm; drop standingStatistics.");
  // The input of every batch-norm layer, each layer before it normalising by its batch (training mode), as BigGAN runs it.
  const probe = tfl.model({ inputs: g.inputs, outputs: norms.map((l) => l.input as tfl.SymbolicTensor) });
  const { latentDim, numClasses } = gan.config;
  const rng = createRng(seed);
  const sums = norms.map(() => ({ mean: new Float64Array(0), variance: new Float64Array(0) }));
  for (let b = 0; b < settings.batches; b++) {
    const z = Float32Array.from({ length: settings.batchSize * latentDim }, () => rng.normal());
    const labels = numClasses > 0 ? Float32Array.from({ length: settings.batchSize }, () => rng.int(numClasses)) : undefined;
    const moments = tf.tidy(() => {
      const zs = tf.tensor2d(z, [settings.batchSize, latentDim]);
      const out = probe.apply(labels ? [zs, tf.tensor2d(labels, [settings.batchSize, 1])] : zs, { training: true }) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(out) ? out : [out]).map((x) => {
        const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, i) => i));
        return { mean: mean.dataSync(), variance: variance.dataSync() };
      });
    });
    moments.forEach((m, i) => {
      const sum = sums[i] as (typeof sums)[number];
      if (sum.mean.length === 0) [sum.mean, sum.variance] = [new Float64Array(m.mean.length), new Float64Array(m.variance.length)];
      m.mean.forEach((v, j) => (sum.mean[j] = (sum.mean[j] as number) + v));
      m.variance.forEach((v, j) => (sum.variance[j] = (sum.variance[j] as number) + v));
    });
  }
  // Training mode moved the layers' moving averages; they are overwritten here.
  norms.forEach((layer, i) => {
    const sum = sums[i] as (typeof sums)[number];
    // A batch-norm layer's non-trainable weights: its moving mean, then its moving variance.
    const [movingMean, movingVariance] = layer.nonTrainableWeights;
    tf.tidy(() => {
      movingMean?.write(tf.tensor1d(Float32Array.from(sum.mean, (v) => v / settings.batches)));
      movingVariance?.write(tf.tensor1d(Float32Array.from(sum.variance, (v) => v / settings.batches)));
    });
  });
}
