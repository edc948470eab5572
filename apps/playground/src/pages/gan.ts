import { parseDistribution } from "@dl/bayes";
import { changeOfVariables1d } from "@dl/gan";
import { isDlError, lineChartSvg } from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

/** The change of variables, live: edit f and the base density, watch p_y against pushed samples. */
export const page: PlaygroundPage = {
  id: "gan",
  title: "GAN: change of variables",
  mount(root) {
    let disposed = false;
    const f = el("input", { value: "tanh", size: "28", "data-testid": "cov-f" });
    const base = el("input", { value: "normal(0, 1.5)", size: "20", "data-testid": "cov-base" });
    const button = el("button", { "data-testid": "cov-run" }, "Push samples through f");
    const chart = el("div", { "data-testid": "cov-chart" });
    const text = el("p", { "data-testid": "cov-explanation" });
    const metrics = el("pre", { class: "metrics", "data-testid": "cov-metrics" });
    const controls = el("div", { class: "row" });
    controls.append(el("label", {}, "y = f(x), f: "), f, el("label", {}, " x ~ "), base, button);
    root.append(
      el("h2", {}, "The change of variables a generator relies on"),
      el("p", {}, "A GAN's generator pushes noise through a function. p_y(y) = Σ p_x(x_k) / |f′(x_k)| over every x_k with f(x_k) = y: flat parts of f pile up probability. Try tanh, sigmoid, cubic, exp, square, or any expression in x such as x^2 - x or sin(2*x)."),
      controls,
      chart,
      text,
      metrics,
    );

    async function run(): Promise<void> {
      button.disabled = true;
      try {
        await startBackend();
        if (disposed) return;
        const result = changeOfVariables1d(f.value, parseDistribution(base.value), { seed: 1, samples: 50_000, bins: 40 });
        const centres = Array.from(result.histogram.density, (_, i) => 0.5 * ((result.histogram.edges[i] ?? 0) + (result.histogram.edges[i + 1] ?? 0)));
        chart.innerHTML = lineChartSvg(
          [
            { name: "analytic p_y", x: result.curve.y, y: result.curve.density, color: "#d62728" },
            { name: `histogram of ${result.samples} samples`, x: centres, y: result.histogram.density, color: "#1f77b4" },
          ],
          { title: `y = ${result.f}, x ~ ${result.base}`, xLabel: "y", yLabel: "density", width: 640, height: 320 },
        );
        text.textContent = result.explanation;
        metrics.textContent = `L1(analytic, histogram) = ${result.l1.toFixed(4)} (sampling noise alone ≈ ${result.samplingL1.toFixed(4)})`;
      } catch (error) {
        chart.textContent = "";
        text.textContent = isDlError(error) ? error.message : String(error);
        metrics.textContent = "";
      } finally {
        button.disabled = false;
      }
    }

    button.addEventListener("click", () => void run());
    void run();
    return () => {
      disposed = true;
      root.replaceChildren();
    };
  },
};
