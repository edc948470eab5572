import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";

import { matMulProbeMs, softwareRejection } from "./candidates.js";
import { initBackend } from "./registry.js";
import { classifyRenderer, classifyWebGpuAdapter, describeWebGpuAdapter } from "./softwareRenderer.js";

// Renderer strings as browsers report them (WebGL RENDERER / UNMASKED_RENDERER_WEBGL).
const SOFTWARE: readonly (readonly [string, string])[] = [
  ["Google SwiftShader", "SwiftShader"],
  ["ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)", "SwiftShader"],
  ["ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (LLVM 10.0.0) (0x0000C0DE)), SwiftShader driver-5.0.0)", "SwiftShader"],
  ["ANGLE (Google, SwiftShader Device (Subzero), SwiftShader driver)", "SwiftShader"],
  ["llvmpipe (LLVM 15.0.6, 256 bits)", "llvmpipe"],
  ["ANGLE (Mesa, llvmpipe (LLVM 15.0.7, 256 bits), OpenGL 4.5)", "llvmpipe"],
  ["Gallium 0.4 on softpipe", "softpipe"],
  ["ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)", "Microsoft Basic Render Driver (WARP)"],
  ["Apple Software Renderer", "a software renderer"],
  ["Mesa OffScreen", "OSMesa"],
];

const HARDWARE: readonly string[] = [
  "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002504) Direct3D11 vs_5_0 ps_5_0, D3D11)",
  "ANGLE (NVIDIA Corporation, NVIDIA GeForce RTX 3060/PCIe/SSE2, OpenGL 4.5.0 NVIDIA 535.183.01)",
  "NVIDIA GeForce GTX 1080/PCIe/SSE2",
  "ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)",
  "Apple M1",
  "Apple GPU",
  "ANGLE (Intel, Intel(R) UHD Graphics 620 (0x00005917) Direct3D11 vs_5_0 ps_5_0, D3D11)",
  "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
  "ANGLE (Intel, Mesa Intel(R) UHD Graphics 630 (CFL GT2), OpenGL 4.6)",
  "ANGLE (AMD, AMD Radeon RX 6700 XT (0x000073DF) Direct3D11 vs_5_0 ps_5_0, D3D11)",
  "AMD Radeon Pro 5500M OpenGL Engine",
  "Adreno (TM) 660",
  "Mali-G78 MC20",
];

describe("classifyRenderer", () => {
  it.each(SOFTWARE)("%s is software (%s)", (renderer, rasterizer) => {
    expect(classifyRenderer(renderer)).toEqual({ kind: "software", rasterizer });
  });

  it.each(HARDWARE)("%s is hardware", (renderer) => {
    expect(classifyRenderer(renderer)).toEqual({ kind: "hardware" });
  });

  it("claims nothing about a hidden or empty renderer", () => {
    expect(classifyRenderer(undefined)).toEqual({ kind: "unknown" });
    expect(classifyRenderer("")).toEqual({ kind: "unknown" });
    expect(classifyRenderer("   ")).toEqual({ kind: "unknown" });
    // Chromium's RENDERER without the debug extension, and Firefox's when resisting fingerprinting.
    expect(classifyRenderer("WebKit WebGL")).toEqual({ kind: "unknown" });
    expect(classifyRenderer("Mozilla")).toEqual({ kind: "unknown" });
  });
});

describe("classifyWebGpuAdapter", () => {
  it("trusts the API's fallback flag, naming the rasteriser when the info does", () => {
    expect(classifyWebGpuAdapter({ isFallbackAdapter: true })).toEqual({ kind: "software", rasterizer: "a fallback (software) adapter" });
    expect(classifyWebGpuAdapter({ vendor: "google", architecture: "swiftshader", isFallbackAdapter: true })).toEqual({
      kind: "software",
      rasterizer: "SwiftShader",
    });
  });

  it("recognises software adapters by name when the flag is missing", () => {
    expect(classifyWebGpuAdapter({ vendor: "google", architecture: "swiftshader" })).toEqual({ kind: "software", rasterizer: "SwiftShader" });
    expect(classifyWebGpuAdapter({ vendor: "mesa", description: "llvmpipe (LLVM 15.0.6, 256 bits)" })).toEqual({
      kind: "software",
      rasterizer: "llvmpipe",
    });
    expect(classifyWebGpuAdapter({ vendor: "mesa", device: "lavapipe" })).toEqual({ kind: "software", rasterizer: "lavapipe" });
  });

  it("keeps real adapters, and says unknown when the browser names nothing", () => {
    expect(classifyWebGpuAdapter({ vendor: "nvidia", architecture: "ampere", isFallbackAdapter: false })).toEqual({ kind: "hardware" });
    expect(classifyWebGpuAdapter({ vendor: "apple", architecture: "metal-3" })).toEqual({ kind: "hardware" });
    expect(classifyWebGpuAdapter({ vendor: "intel", architecture: "gen-12lp", device: "", description: "" })).toEqual({ kind: "hardware" });
    expect(classifyWebGpuAdapter({ vendor: "", architecture: "", isFallbackAdapter: false })).toEqual({ kind: "unknown" });
    expect(describeWebGpuAdapter({ vendor: "google", architecture: "swiftshader", device: "", description: " " })).toBe("google swiftshader");
  });
});

describe("softwareRejection", () => {
  it("names the device, the rasteriser and how to force the backend anyway", () => {
    const reason = softwareRejection("webgl", "Google SwiftShader", "SwiftShader");
    expect(reason).toBe(
      'software renderer "Google SwiftShader" (SwiftShader): WebGL is emulated on the CPU here, slower than wasm; force it with backend "webgl" (?backend=webgl)',
    );
    expect(softwareRejection("webgpu", "google swiftshader", "SwiftShader")).toContain("WebGPU is emulated");
  });
});

describe("matMulProbeMs", () => {
  it("times a 512² matmul with read-back on the current backend and leaks no tensor", async () => {
    await initBackend({ backend: "wasm" });
    const before = tf.memory().numTensors;
    const started = performance.now();
    const ms = await matMulProbeMs();
    const total = performance.now() - started;
    expect(ms).toBeGreaterThan(0);
    // The median of 3 timed runs fits inside the whole call (which adds a warm-up run and two inputs).
    expect(ms).toBeLessThan(total / 3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
