import { availableParallelism } from "node:os";

import { afterEach, describe, expect, it, vi } from "vitest";

import { environment, resetEnvironmentForTests, webGpuAdapter } from "./env.js";

afterEach(() => {
  vi.unstubAllGlobals();
  resetEnvironmentForTests();
});

describe("environment (Node)", () => {
  it("counts the cores Node may use, though Node 20 has no navigator", () => {
    resetEnvironmentForTests();
    const env = environment();
    expect(env.isNode).toBe(true);
    expect(env.hardwareConcurrency).toBe(availableParallelism());
  });

  it("prefers navigator.hardwareConcurrency where there is one", () => {
    vi.stubGlobal("navigator", { hardwareConcurrency: 7 });
    resetEnvironmentForTests();
    expect(environment().hardwareConcurrency).toBe(7);
  });
});

/** A canvas whose WebGL context answers RENDERER as Chromium does: masked, unless asked through the debug extension. */
function fakeDocument(unmasked: string | null): unknown {
  const RENDERER = 0x1f01;
  const UNMASKED_RENDERER_WEBGL = 0x9246;
  const gl = {
    RENDERER,
    getExtension: (name: string) => {
      if (name === "WEBGL_debug_renderer_info") return unmasked === null ? null : { UNMASKED_RENDERER_WEBGL };
      if (name === "WEBGL_lose_context") return { loseContext: () => undefined };
      return null;
    },
    getParameter: (p: number) => (p === UNMASKED_RENDERER_WEBGL ? unmasked : p === RENDERER ? "WebKit WebGL" : null),
  };
  return { createElement: () => ({ getContext: (kind: string) => (kind === "webgl2" ? gl : null) }) };
}

describe("environment (browser-like globals)", () => {
  it("reads the unmasked WebGL renderer, else the masked RENDERER", () => {
    const swiftShader = "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)";
    vi.stubGlobal("window", {});
    vi.stubGlobal("document", fakeDocument(swiftShader));
    resetEnvironmentForTests();
    expect(environment().hasWebGl).toBe(true);
    expect(environment().webGlRenderer).toBe(swiftShader);
    vi.stubGlobal("document", fakeDocument(null));
    resetEnvironmentForTests();
    expect(environment().webGlRenderer).toBe("WebKit WebGL");
  });

  it("summarises the WebGPU adapter, reading isFallbackAdapter from adapter.info or (older browsers) the adapter", async () => {
    vi.stubGlobal("navigator", { gpu: { requestAdapter: () => Promise.resolve({ info: { vendor: "google", architecture: "swiftshader", isFallbackAdapter: true } }) } });
    resetEnvironmentForTests();
    expect(await webGpuAdapter()).toEqual({ vendor: "google", architecture: "swiftshader", isFallbackAdapter: true });
    vi.stubGlobal("navigator", { gpu: { requestAdapter: () => Promise.resolve({ info: { vendor: "nvidia" }, isFallbackAdapter: false }) } });
    resetEnvironmentForTests();
    expect(await webGpuAdapter()).toEqual({ vendor: "nvidia", isFallbackAdapter: false });
    vi.stubGlobal("navigator", { gpu: { requestAdapter: () => Promise.resolve(null) } });
    resetEnvironmentForTests();
    expect(await webGpuAdapter()).toBeNull();
  });

  it("counts Node as cross-origin isolated (SharedArrayBuffer is always there)", () => {
    resetEnvironmentForTests();
    expect(environment().crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe("function");
  });
});
