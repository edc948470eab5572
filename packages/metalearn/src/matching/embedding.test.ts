import { describe, expect, it } from "vitest";

import { DlError } from "@dl/tensor-core";

import { EMBEDDING_ARCHS, parseEmbeddingArch } from "./embedding.js";

describe("parseEmbeddingArch", () => {
  it("accepts each architecture name", () => {
    expect(EMBEDDING_ARCHS.map((name) => parseEmbeddingArch(name))).toEqual(["mlp", "cnn", "residual"]);
  });

  it.each(["resnet", "MLP", "", "__proto__", "toString"])('refuses "%s" with one INVALID_ARGUMENT line listing the valid names', (value) => {
    const call = (): unknown => parseEmbeddingArch(value);
    expect(call).toThrow(DlError);
    expect(call).toThrow(`Unknown embedding architecture "${value}"; valid: mlp, cnn or residual.`);
  });
});
