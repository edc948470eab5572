import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, it, vi } from "vitest";

import { resetEnvironmentForTests } from "../env.js";
import { DlError } from "../errors.js";
import "./candidates.js";
import { backendInfo, initBackend, registerBackendCandidate, resetBackendForTests } from "./registry.js";
import { loadTfjsNode } from "./tfjsNode.js";

const realCpu = {
  name: "cpu",
  tfName: "cpu",
  peer: "@tensorflow/tfjs-backend-cpu",
  priority: 10,
  platforms: ["node", "browser"],
  load: async () => {
    await import("@tensorflow/tfjs-backend-cpu");
  },
} as const;

afterEach(() => {
  // Put the real tfjs-node and cpu candidates back after tests that replace them.
  registerBackendCandidate({ name: "tfjs-node", tfName: "tensorflow", priority: 100, platforms: ["node"], load: loadTfjsNode });
  registerBackendCandidate(realCpu);
  vi.unstubAllEnvs();
  resetEnvironmentForTests();
  resetBackendForTests();
});

describe("initBackend (Node)", () => {
  it("falls through from a missing tfjs-node to wasm and says why tfjs-node was rejected", async () => {
    const info = await initBackend();
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(info.tried[0]?.name).toBe("tfjs-node");
    expect(info.tried[0]?.ok).toBe(false);
    expect(info.tried[0]?.reason).toMatch(/tfjs-node (not installed|failed to load)/);
    expect(info.tried[1]).toEqual({ name: "wasm", ok: true });
    expect(info.wasm?.simd).toBe(true);
    // Without the Node entry's wasmThreadsNode.ts tfjs-wasm has no threads in Node: one thread in its pool.
    expect(info.wasm?.threads).toBe(false);
    expect(info.wasm?.threadCount).toBe(1);
    expect(backendInfo()).toBe(info);
  });

  it("honours an explicit option and DL_BACKEND, the option winning", async () => {
    vi.stubEnv("DL_BACKEND", "cpu");
    resetEnvironmentForTests();
    const fromEnv = await initBackend();
    expect(fromEnv.name).toBe("cpu");
    expect(fromEnv.requestedBy).toBe("DL_BACKEND");
    const fromOption = await initBackend({ backend: "wasm" });
    expect(fromOption.name).toBe("wasm");
    expect(fromOption.requestedBy).toBe("option");
  });

  it("rejects an unknown backend name with the valid names listed", async () => {
    await expect(initBackend({ backend: "cuda" as never })).rejects.toThrow(DlError);
    await expect(initBackend({ backend: "cuda" as never })).rejects.toThrow(/Valid backends: auto, tfjs-node, webgpu, webgl, wasm or cpu/);
    vi.stubEnv("DL_BACKEND", "tpu");
    resetEnvironmentForTests();
    await expect(initBackend()).rejects.toMatchObject({ code: "UNKNOWN_BACKEND" });
  });

  it("tells a candidate whether the user forced it, so a poor choice is passed over only in auto", async () => {
    // Stands in for WebGL on SwiftShader: works, but refuses unless asked for by name.
    const seen: boolean[] = [];
    registerBackendCandidate({
      ...realCpu,
      name: "tfjs-node",
      priority: 100,
      platforms: ["node"],
      load: async (_options, { forced }) => {
        seen.push(forced);
        if (!forced) throw new Error("software renderer: slower than wasm");
        await import("@tensorflow/tfjs-backend-cpu");
      },
    });
    const auto = await initBackend();
    expect(auto.name).toBe("wasm");
    expect(auto.tried[0]?.ok).toBe(false);
    expect(auto.tried[0]?.reason).toMatch(/software renderer: slower than wasm$/);
    const forced = await initBackend({ backend: "tfjs-node" });
    expect(forced.name).toBe("tfjs-node");
    expect(forced.requestedBy).toBe("option");
    expect(seen).toEqual([false, true]);
  });

  it("refuses a browser-only backend in Node, naming those available", async () => {
    await expect(initBackend({ backend: "webgl" })).rejects.toThrow(/not available on node. Available here: tfjs-node, wasm or cpu/);
  });

  it("reports a forced tfjs-node that cannot load as BACKEND_UNAVAILABLE with the reason", async () => {
    const error = await initBackend({ backend: "tfjs-node" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DlError);
    expect((error as DlError).code).toBe("BACKEND_UNAVAILABLE");
    expect((error as DlError).message).toMatch(/tfjs-node/);
  });

  it("falls through when the native addon throws a plain Error without a code (broken libtensorflow)", async () => {
    registerBackendCandidate({
      name: "tfjs-node",
      tfName: "tensorflow",
      priority: 100,
      platforms: ["node"],
      load: () => Promise.reject(new Error("libtensorflow.so.2: cannot open shared object file")),
    });
    const info = await initBackend();
    expect(info.name).toBe("wasm");
    expect(info.tried[0]).toEqual({
      name: "tfjs-node",
      ok: false,
      reason: "tfjs-node failed to load its native addon: libtensorflow.so.2: cannot open shared object file",
    });
  });

  it("says 'not installed' for MODULE_NOT_FOUND from a CommonJS resolver", async () => {
    registerBackendCandidate({
      name: "tfjs-node",
      tfName: "tensorflow",
      priority: 100,
      platforms: ["node"],
      load: () => Promise.reject(Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node'"), { code: "MODULE_NOT_FOUND" })),
    });
    const info = await initBackend();
    expect(info.tried[0]?.reason).toBe("tfjs-node not installed: Cannot find module '@tensorflow/tfjs-node'");
    expect(info.name).toBe("wasm");
  });

  it("names the peer package and the version to install when a backend package is missing", async () => {
    // A real failed import of a package that is not installed, as when an app skips an optional peer.
    const missing = ["@tensorflow", "tfjs-backend-missing"].join("/");
    registerBackendCandidate({ ...realCpu, peer: missing, load: async () => void (await import(/* @vite-ignore */ missing)) });
    const error = (await initBackend({ backend: "cpu" }).catch((e: unknown) => e)) as DlError;
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toContain(`cpu: ${missing} is not installed (a peer dependency of @dl/tensor-core): install ${missing}@${tf.version_core}`);
  });

  it("keeps the original message when the peer is there but something it imports is missing", async () => {
    const inner = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-backend-cpu' imported from …/tfjs-backend-wasm.js"), { code: "ERR_MODULE_NOT_FOUND" });
    registerBackendCandidate({ ...realCpu, peer: "@tensorflow/tfjs-backend-wasm", load: () => Promise.reject(inner) });
    const error = (await initBackend({ backend: "cpu" }).catch((e: unknown) => e)) as DlError;
    expect(error.message).toContain("cpu: Cannot find package '@tensorflow/tfjs-backend-cpu' imported from");
    expect(error.message).not.toContain("is not installed");
  });
});
