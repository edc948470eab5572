/** log Σ exp(vᵢ), stable for any magnitudes. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i] ?? -Infinity);
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp((values[i] ?? -Infinity) - max);
  return max + Math.log(s);
}
