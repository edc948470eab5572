import { describe, expect, it } from "vitest";

import { tourLayers } from "./interpretability.js";

describe("tour layer choice", () => {
  it("spreads picks over depth and skips flatten, probs and logits", () => {
    const cnn = ["conv1", "pool1", "conv2", "pool2", "flatten", "dense1", "logits", "probs"];
    expect(tourLayers(cnn, 3)).toEqual(["conv1", "conv2", "dense1"]);
    expect(tourLayers(cnn, 2)).toEqual(["conv1", "dense1"]);
    expect(tourLayers(["flatten", "dense1", "logits", "probs"], 3)).toEqual(["dense1"]);
  });
});
