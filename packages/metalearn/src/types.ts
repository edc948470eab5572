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
