/**
 * Tanh-sinh (double-exponential) quadrature of f over [a, b] (Takahasi & Mori 1974). Abscissae crowd
 * the endpoints, so integrable endpoint singularities such as |y|^(−2/3) are handled well.
 */
export function tanhSinhNodes(a: number, b: number, step = 1 / 8, tMax = 3): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  const n = Math.round(tMax / step);
  for (let k = -n; k <= n; k++) {
    const t = k * step;
    const u = (Math.PI / 2) * Math.sinh(t);
    const c = Math.cosh(u);
    x.push(mid + half * Math.tanh(u));
    w.push((half * step * (Math.PI / 2) * Math.cosh(t)) / (c * c));
  }
  return { x, w };
}
