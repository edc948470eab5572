import { assertArgument } from "../errors.js";

/** counts[t * numClasses + p] = how many examples of true class t were predicted as p. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): Int32Array {
  assertArgument(
    trueLabels.length === predicted.length,
    () => `confusionMatrix: ${trueLabels.length} true labels but ${predicted.length} predictions.`,
  );
  const counts = new Int32Array(numClasses * numClasses);
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i] ?? -1;
    const p = predicted[i] ?? -1;
    assertArgument(
      Number.isInteger(t) && Number.isInteger(p) && t >= 0 && p >= 0 && t < numClasses && p < numClasses,
      () => `confusionMatrix: entry ${i} has true ${t} / predicted ${p}; classes must be integers in [0, ${numClasses}).`,
    );
    counts[t * numClasses + p] = (counts[t * numClasses + p] ?? 0) + 1;
  }
  return counts;
}
