import type { WebGpuAdapterReport } from "../env.js";

// Browsers without a usable GPU still offer WebGL/WebGPU, rasterised on the CPU (Chromium's
// SwiftShader, Mesa's llvmpipe, Windows' WARP). tfjs on such a "GPU" is several times slower than
// tfjs-wasm, so the browser candidates recognise these devices by the names the browser gives them.

/** What a renderer string says about the device behind WebGL/WebGPU. */
export type RendererKind =
  | { kind: "software"; /** The rasteriser recognised, e.g. "SwiftShader". */ rasterizer: string }
  | { kind: "hardware" }
  | { kind: "unknown" };

// Order matters only for the name reported: the specific rasterisers come before the generic word.
const SOFTWARE_RASTERIZERS: readonly { pattern: RegExp; rasterizer: string }[] = [
  { pattern: /swift\s*shader/i, rasterizer: "SwiftShader" },
  { pattern: /llvmpipe/i, rasterizer: "llvmpipe" },
  { pattern: /lavapipe/i, rasterizer: "lavapipe" },
  { pattern: /softpipe/i, rasterizer: "softpipe" },
  { pattern: /microsoft basic render driver/i, rasterizer: "Microsoft Basic Render Driver (WARP)" },
  { pattern: /\bwarp\b/i, rasterizer: "WARP" },
  { pattern: /\bmesa offscreen\b|\bosmesa\b/i, rasterizer: "OSMesa" },
  { pattern: /\bsoftware\b/i, rasterizer: "a software renderer" },
];

const MASKED_RENDERERS = /^(webkit webgl|webkit|mozilla|generic renderer)$/i;

/**
 * Classifies a WebGL `RENDERER` (unmasked where the browser allows) or a WebGPU adapter's
 * description. An empty or missing string is `unknown`: nothing is claimed about the device.
 */
export function classifyRenderer(renderer: string | undefined): RendererKind {
  const text = renderer?.trim() ?? "";
  // Masked names (RENDERER without WEBGL_debug_renderer_info) say nothing about the device.
  if (text === "" || MASKED_RENDERERS.test(text)) return { kind: "unknown" };
  for (const { pattern, rasterizer } of SOFTWARE_RASTERIZERS) {
    if (pattern.test(text)) return { kind: "software", rasterizer };
  }
  return { kind: "hardware" };
}

/** One readable name for an adapter, from whatever fields the browser filled in. */
export function describeWebGpuAdapter(adapter: WebGpuAdapterReport): string {
  const parts = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(
    (part): part is string => part !== undefined && part.trim() !== "",
  );
  return parts.join(" ");
}

/** A WebGPU adapter is software when the API says it is a fallback adapter, or when its names say so. */
export function classifyWebGpuAdapter(adapter: WebGpuAdapterReport): RendererKind {
  if (adapter.isFallbackAdapter === true) {
    const named = classifyRenderer(describeWebGpuAdapter(adapter));
    return { kind: "software", rasterizer: named.kind === "software" ? named.rasterizer : "a fallback (software) adapter" };
  }
  return classifyRenderer(describeWebGpuAdapter(adapter));
}
