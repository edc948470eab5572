import { fitPlanarFlow, flowLossChart, logNormaliser, mixtureResponsibilities, sampleNamed, type EnergyName } from "@dl/bayes";
import { isDlError, lineChartSvg } from "@dl/tensor-core";

import { startBackend } from "../backend.js";
import { el } from "../dom.js";
import type { PlaygroundPage } from "../page.js";

function slider(min: number, max: number, step: number, value: number, testId: string): HTMLInputElement {
  return el("input", { type: "range", min: String(min), max: String(max), step: String(step), value: String(value), "data-testid": testId });
}

/** Mixture posterior (drag the means), an inverse-CDF sampler with its KS test, and a planar flow fitting live. */
export const page: PlaygroundPage = {
  id: "bayes",
  title: "Bayes: mixture posterior, samplers, flows",
  mount(root) {
    let disposed = false;
    const abort = new AbortController();

    // Mixture posterior φ(x) = p(z = 1 | x).
    const mu1 = slider(-4, 4, 0.1, 0, "bayes-mu1");
    const mu2 = slider(-4, 4, 0.1, 2, "bayes-mu2");
    const weight = slider(0.05, 0.95, 0.05, 0.5, "bayes-w1");
    const phiChart = el("div", { "data-testid": "bayes-phi" });
    const phiText = el("pre", { class: "metrics", "data-testid": "bayes-phi-metrics" });
    const drawPosterior = (): void => {
      const m1 = Number(mu1.value);
      const m2 = Number(mu2.value);
      const w = Number(weight.value);
      const xs = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1);
      try {
        const r = mixtureResponsibilities({ weights: [w, 1 - w], means: [m1, m2], covariances: [1, 1] }, xs);
        const phi = r.responsibilities.map((row) => row[0] ?? Number.NaN);
        phiChart.innerHTML = lineChartSvg([{ name: "p(z=1|x)", x: xs, y: phi }], { title: `μ₁ = ${m1}, μ₂ = ${m2}, w₁ = ${w}, σ² = 1`, xLabel: "x", yLabel: "φ(x)", width: 640, height: 280 });
        const at = (x: number): number => mixtureResponsibilities({ weights: [w, 1 - w], means: [m1, m2], covariances: [1, 1] }, [x]).responsibilities[0]?.[0] ?? Number.NaN;
        phiText.textContent = `p(z=1|x=0) = ${at(0).toFixed(4)}   p(z=1|x=1) = ${at(1).toFixed(4)}`;
      } catch (error) {
        phiText.textContent = isDlError(error) ? error.message : String(error);
      }
    };
    for (const s of [mu1, mu2, weight]) s.addEventListener("input", drawPosterior);

    // Samplers.
    const dist = el("input", { value: "weibull", size: "12", "data-testid": "bayes-dist" });
    const params = el("input", { value: "concentration=1.5, scale=2", size: "32", "data-testid": "bayes-params" });
    const sampleButton = el("button", { "data-testid": "bayes-sample" }, "Sample 5000 and KS-test");
    const sampleText = el("pre", { class: "metrics", "data-testid": "bayes-sample-metrics" });
    sampleButton.addEventListener("click", () => {
      void (async () => {
        await startBackend();
        try {
          const p: Record<string, number> = {};
          for (const part of params.value.split(",")) {
            const [k, v] = part.split("=").map((t) => t.trim());
            if (k !== undefined && k !== "" && v !== undefined) p[k] = Number(v);
          }
          const r = sampleNamed(dist.value, p, 5000, 1);
          sampleText.textContent = `mean ${r.sampleMean.toFixed(4)} (exact ${r.mean.toFixed(4)}), variance ${r.sampleVariance.toFixed(4)} (exact ${r.variance.toFixed(4)})${r.ks === null ? "" : `\nKS against the CDF: D = ${r.ks.statistic.toFixed(4)}, p = ${r.ks.pValue.toFixed(4)}`}`;
        } catch (error) {
          sampleText.textContent = isDlError(error) ? error.message : String(error);
        }
      })();
    });

    // A flow fitting live.
    const target = el("select", { "data-testid": "bayes-target" });
    for (const name of ["U1", "U2", "U3", "U4"]) target.append(el("option", { value: name }, name));
    const layers = el("input", { value: "8", size: "4", "data-testid": "bayes-flows" });
    const fitButton = el("button", { "data-testid": "bayes-fit" }, "Fit planar flow");
    const lossChart = el("div", { "data-testid": "bayes-loss" });
    const fitText = el("pre", { class: "metrics", "data-testid": "bayes-fit-metrics" });
    fitButton.addEventListener("click", () => {
      void (async () => {
        fitButton.disabled = true;
        await startBackend();
        const losses: { step: number; loss: number }[] = [];
        const name = target.value as EnergyName;
        const flows = Number(layers.value);
        const steps = 1000;
        try {
          // −log Z by quadrature is known before fitting: the line the free energy cannot go below.
          const logZ = logNormaliser(name);
          const r = await fitPlanarFlow(name, {
            flows,
            steps,
            seed: 1,
            klSamples: 5000,
            signal: abort.signal,
            onProgress: (e) => {
              if (disposed) return;
              losses.push({ step: e.step, loss: e.metrics?.["loss"] ?? Number.NaN });
              const chart = flowLossChart(losses, { target: name, flows, logZ, steps });
              lossChart.innerHTML = lineChartSvg(chart.series, { title: chart.title, xLabel: chart.xLabel, yLabel: chart.yLabel, width: 820, height: 280 });
            },
          });
          fitText.textContent = `KL(q‖p) = ${r.kl.kl.toFixed(4)} ± ${r.kl.standardError.toFixed(4)} nats (log Z = ${r.kl.logZ.toFixed(4)} by quadrature), ${r.seconds.toFixed(1)} s`;
        } catch (error) {
          fitText.textContent = isDlError(error) ? error.message : String(error);
        } finally {
          fitButton.disabled = false;
        }
      })();
    });

    const row = (...nodes: (Node | string)[]): HTMLDivElement => {
      const d = el("div", { class: "row" });
      d.append(...nodes);
      return d;
    };
    root.append(
      el("h2", {}, "Mixture posterior φ(x) = p(z = 1 | x)"),
      el("p", {}, "Two unit-variance Gaussians; drag the means and the weight of component 1. With μ = 0, 2 and equal weights, φ(1) = ½ and φ(0) = 1/(1 + e⁻²) ≈ 0.881."),
      row("μ₁ ", mu1, " μ₂ ", mu2, " w₁ ", weight),
      phiChart,
      phiText,
      el("h2", {}, "Samplers (TensorFlow Probability names)"),
      row("distribution ", dist, " parameters ", params, sampleButton),
      sampleText,
      el("h2", {}, "A planar flow fitting live (Rezende & Mohamed 2015)"),
      row("target ", target, " layers K ", layers, fitButton),
      lossChart,
      fitText,
    );
    drawPosterior();
    return () => {
      disposed = true;
      abort.abort();
    };
  },
};
