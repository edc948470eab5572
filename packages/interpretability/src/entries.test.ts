import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import * as root from "./index.js";
import * as embed from "./embed/index.js";
import * as tcav from "./tcav/index.js";
import * as tsne from "./tsne/index.js";

const src = dirname(fileURLToPath(import.meta.url));

/** Every module a source file loads statically (side-effect imports too), followed through relative imports (packages by name). */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^(?:(?:import|export)(?!\s+type\b)[^;]*?from\s+"([^"]+)"|import\s+"([^"]+)")/gms)) {
      const spec = (match[1] ?? match[2]) as string;
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else packages.add(spec);
    }
  };
  visit(join(src, entry));
  return { files, packages };
}

describe("entry points", () => {
  it("the root exports exactly the union of /tcav, /tsne and /embed, and no internals", () => {
    const union = new Set([...Object.keys(tcav), ...Object.keys(tsne), ...Object.keys(embed)]);
    expect(new Set(Object.keys(root))).toEqual(union);
    expect(Object.keys(root).length).toBe(45);
    for (const internal of ["HYBRID_BH_COST_RATIO", "SpaceTree", "klFromParts", "barnesHutRepulsion", "fftRepulsion", "welchTTest", "assignToGrid"]) {
      expect(Object.keys(root)).not.toContain(internal);
    }
  });

  it("/tcav loads no t-SNE or embedding module, no FFT and no WebAssembly kernels", () => {
    const { files, packages } = importGraph("tcav/index.ts");
    const local = [...files].map((f) => f.slice(src.length + 1));
    expect(local.filter((f) => !f.startsWith("tcav/"))).toEqual([]);
    // Its one package import is the platform's loader of TCAV's own statistics.
    expect([...packages].filter((p) => p === "fft.js" || p.startsWith("#") || p.includes("worker"))).toEqual(["#tcavLibraries"]);
    expect([...packages].filter((p) => p.startsWith("@stdlib/"))).toEqual([]);
    // and it does load TCAV's own modules (the walk follows imports)
    expect(local).toContain("tcav/stats.ts");
  });

  it("/tsne reaches its worker team and kernels; /embed builds on it", () => {
    const tsneGraph = importGraph("tsne/index.ts");
    expect(tsneGraph.packages).toContain("#team");
    expect([...tsneGraph.files].some((f) => f.endsWith("wasm/wasmKernels.ts"))).toBe(true);
    expect([...tsneGraph.files].some((f) => f.includes("/tcav/"))).toBe(false);
  });

  it("/tsne loads no TensorFlow.js: tensor-core only through its tfjs-free /host entry", () => {
    // t-SNE runs on its own kernels; a tfjs backend is used only when the caller already set one up.
    const { packages } = importGraph("tsne/index.ts");
    expect([...packages].filter((p) => p.startsWith("@tensorflow/") || p === "@dl/tensor-core")).toEqual([]);
    expect(packages).toContain("@dl/tensor-core/host");
  });
});
