import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";

import { initBackend } from "../backend/registry.js";
import "../backend/candidates.js";
import { describePreprocessing, parsePreprocessing, preprocessTensor } from "./preprocess.js";
import type { Preprocessing } from "./preprocess.js";

beforeAll(async () => {
  await initBackend({ backend: "cpu" });
});

/** Two RGB pixels with distinct channels, as bytes 0…255. */
const BYTES = [0, 51, 255, 200, 100, 10];

/** Runs preprocessTensor on BYTES (given as [0, 1] pixels), checking that it leaves no tensor behind. */
function apply(p: Preprocessing, bytes = BYTES, channels = 3): number[] {
  const x = tf.tensor4d(
    bytes.map((v) => v / 255),
    [1, 1, bytes.length / channels, channels],
  );
  const before = tf.memory().numTensors;
  const y = preprocessTensor(x, p);
  expect(tf.memory().numTensors).toBe(before + 1);
  const out = Array.from(y.dataSync());
  tf.dispose([x, y]);
  return out;
}

/**
 * Keras `imagenet_utils._preprocess_numpy_input`, channels_last, written out from its documented
 * formula: 'tf' x/127.5 − 1; 'torch' (x/255 − mean)/std; 'caffe' RGB→BGR then x − mean (mean in BGR).
 */
function keras(mode: "tf" | "torch" | "caffe", rgb: number[]): number[] {
  const out: number[] = [];
  for (let p = 0; p < rgb.length; p += 3) {
    const px = rgb.slice(p, p + 3);
    if (mode === "tf") out.push(...px.map((v) => v / 127.5 - 1));
    else if (mode === "torch") {
      const mean = [0.485, 0.456, 0.406];
      const std = [0.229, 0.224, 0.225];
      out.push(...px.map((v, c) => (v / 255 - (mean[c] as number)) / (std[c] as number)));
    } else {
      const mean = [103.939, 116.779, 123.68];
      out.push(...px.reverse().map((v, c) => v - (mean[c] as number)));
    }
  }
  return out;
}

function expectClose(got: number[], want: number[], tolerance = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - (want[i] as number))).toBeLessThan(tolerance * Math.max(1, Math.abs(want[i] as number))));
}

describe("parsePreprocessing presets", () => {
  it("resolves each preset to plain numbers", () => {
    expect(parsePreprocessing("unit", 3)).toEqual({ preset: "unit", scale: 1 / 255, offset: 0, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: "rgb" });
    expect(parsePreprocessing("symmetric", 1)).toEqual({ preset: "symmetric", scale: 1 / 127.5, offset: -1, mean: [0], std: [1], channelOrder: "rgb" });
    expect(parsePreprocessing("imagenet", 3)).toEqual({ preset: "imagenet", scale: 1 / 255, offset: 0, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: "rgb" });
    expect(parsePreprocessing("caffe", 3)).toEqual({ preset: "caffe", scale: 1, offset: 0, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], channelOrder: "bgr" });
  });
  it("matches hand computations on pixels 0, 51, 255 / 200, 100, 10", () => {
    expectClose(apply(parsePreprocessing("unit", 3)), [0, 0.2, 1, 200 / 255, 100 / 255, 10 / 255]);
    expectClose(apply(parsePreprocessing("symmetric", 3)), [-1, -0.6, 1, 0.5686275, -0.2156863, -0.9215686]);
    // (0.2 − 0.456) / 0.224 = −1.142857; (1 − 0.406) / 0.225 = 2.64.
    expectClose(apply(parsePreprocessing("imagenet", 3)).slice(0, 3), [-0.485 / 0.229, -1.1428571, 2.64]);
    // BGR: B first. Pixel 1 is (R, G, B) = (0, 51, 255) → (255 − 103.939, 51 − 116.779, 0 − 123.68).
    expectClose(apply(parsePreprocessing("caffe", 3)), [151.061, -65.779, -123.68, -93.939, -16.779, 76.32]);
  });
  it("matches Keras preprocess_input's 'tf', 'torch' and 'caffe' modes", () => {
    const rgb = Array.from({ length: 30 }, (_, i) => (i * 37) % 256);
    expectClose(apply(parsePreprocessing("symmetric", 3), rgb), keras("tf", rgb));
    expectClose(apply(parsePreprocessing("imagenet", 3), rgb), keras("torch", rgb));
    expectClose(apply(parsePreprocessing("caffe", 3), rgb), keras("caffe", rgb));
  });
});

describe("parsePreprocessing explicit numbers", () => {
  it("overrides a preset, expands one value to every channel and drops the preset name", () => {
    const p = parsePreprocessing({ preset: "imagenet", std: [0.5] }, 3);
    expect(p).toEqual({ scale: 1 / 255, offset: 0, mean: [0.485, 0.456, 0.406], std: [0.5, 0.5, 0.5], channelOrder: "rgb" });
    expectClose(apply(p, [255, 0, 51], 3), [(1 - 0.485) / 0.5, (0 - 0.456) / 0.5, (0.2 - 0.406) / 0.5]);
  });
  it("swaps channels for an explicit bgr order with RGB-listed numbers moved with them", () => {
    const p = parsePreprocessing({ scale: 1, channelOrder: "bgr", mean: [1, 2, 3] }, 3);
    expectClose(apply(p, [10, 20, 30]), [30 - 1, 20 - 2, 10 - 3]);
  });
  it("reads JSON text and writes back the same object", () => {
    const p = parsePreprocessing('{"scale": 0.5, "offset": 3, "mean": [1], "std": [2]}', 1);
    expect(p).toEqual({ scale: 0.5, offset: 3, mean: [1], std: [2], channelOrder: "rgb" });
    expectClose(apply(p, [10], 1), [(10 * 0.5 + 3 - 1) / 2]);
    for (const preset of ["unit", "symmetric", "imagenet", "caffe"] as const) {
      const q = parsePreprocessing(preset, 3);
      expect(parsePreprocessing(JSON.stringify(q), 3)).toEqual(q);
    }
  });
  it("rejects unknown presets and fields, wrong lengths, std ≤ 0 and BGR without 3 channels", () => {
    expect(() => parsePreprocessing("vgg", 3)).toThrow('Unknown preprocessing "vgg". Valid presets: unit, symmetric, imagenet or caffe');
    expect(() => parsePreprocessing({ preset: "torch" as "imagenet" }, 3)).toThrow(/Valid presets: unit, symmetric, imagenet or caffe/);
    expect(() => parsePreprocessing(JSON.parse('{"stddev": [1]}') as Preprocessing, 3)).toThrow(/Unknown preprocessing field "stddev"; valid fields: preset, scale/);
    expect(() => parsePreprocessing({ mean: [0.5, 0.5] }, 3)).toThrow("mean has 2 values for 3 channels; give 1 or 3.");
    expect(() => parsePreprocessing("imagenet", 1)).toThrow(`The "imagenet" preset's mean has 3 values for 1 channels; give 1 or 1.`);
    expect(() => parsePreprocessing({ std: [1, 0, 1] }, 3)).toThrow(/std must be a list of positive numbers/);
    expect(() => parsePreprocessing({ scale: 0 }, 3)).toThrow(/scale must be a finite non-zero number/);
    expect(() => parsePreprocessing("caffe", 1)).toThrow(/channelOrder "bgr" needs 3 channels/);
    expect(() => parsePreprocessing("{scale: 1}", 3)).toThrow(/is not valid JSON/);
    const x = tf.zeros<tf.Rank.R4>([1, 1, 1, 1]);
    expect(() => preprocessTensor(x, parsePreprocessing("unit", 3))).toThrow(/images have 1 channels but the preprocessing lists 3 means/);
    x.dispose();
  });
});

describe("describePreprocessing", () => {
  it("writes one line per preset and for custom numbers", () => {
    expect(describePreprocessing(parsePreprocessing("unit", 3))).toBe("unit (pixels in [0, 1]): v/255, channels in RGB order, v = pixel 0…255");
    expect(describePreprocessing(parsePreprocessing("symmetric", 3))).toBe("symmetric (MobileNet, Inception; Keras 'tf' mode): v/127.5 − 1, channels in RGB order, v = pixel 0…255");
    expect(describePreprocessing(parsePreprocessing("imagenet", 3))).toBe(
      "imagenet (Keras 'torch' mode, torchvision): (v/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225], channels in RGB order, v = pixel 0…255",
    );
    expect(describePreprocessing(parsePreprocessing("caffe", 3))).toBe("caffe (VGG, ResNet v1; Keras 'caffe' mode): v − [103.939, 116.779, 123.68], channels in BGR order, v = pixel 0…255");
    expect(describePreprocessing(parsePreprocessing({ scale: 0.3, offset: 2, mean: [0.5], std: [2] }, 1))).toBe("custom: ((v·0.3 + 2) − 0.5) / 2, one channel, v = pixel 0…255");
  });
});
