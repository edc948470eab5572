// Browser-safe: how pixels become model inputs, as named presets or explicit numbers.
import * as tf from "@tensorflow/tfjs-core";

import { DlError, assertArgument, listNames } from "../errors.js";

/** Named input conventions; the last three are `tf.keras.applications.imagenet_utils.preprocess_input`'s modes. */
export const PREPROCESS_PRESETS = Object.freeze(["unit", "symmetric", "imagenet", "caffe"] as const);
export type PreprocessPreset = (typeof PREPROCESS_PRESETS)[number];

/**
 * model input = ((v · scale + offset) − mean[c]) / std[c], with v the pixel on 0…255 and channels
 * first reordered to `channelOrder`, so `mean` and `std` are listed in that order (as Keras does).
 */
export interface Preprocessing {
  /** Set when the numbers are exactly this preset's. */
  preset?: PreprocessPreset;
  scale: number;
  offset: number;
  /** One value per channel, in `channelOrder`. */
  mean: number[];
  /** One positive value per channel, in `channelOrder`. */
  std: number[];
  channelOrder: "rgb" | "bgr";
}

// `string & Record<never, never>` keeps the preset names in editor completions while accepting JSON text.
export type PreprocessingSpec = PreprocessPreset | (string & Record<never, never>) | (Partial<Omit<Preprocessing, "preset">> & { preset?: PreprocessPreset });

interface PresetValues {
  scale: number;
  offset: number;
  mean: readonly number[];
  std: readonly number[];
  channelOrder: "rgb" | "bgr";
  /** Who uses it, for the description. */
  used: string;
}

const PRESETS: Readonly<Record<PreprocessPreset, PresetValues>> = Object.freeze({
  unit: { scale: 1 / 255, offset: 0, mean: [0], std: [1], channelOrder: "rgb", used: "pixels in [0, 1]" },
  symmetric: { scale: 1 / 127.5, offset: -1, mean: [0], std: [1], channelOrder: "rgb", used: "MobileNet, Inception; Keras 'tf' mode" },
  // ImageNet channel statistics as torchvision and Keras 'torch' mode use them.
  imagenet: { scale: 1 / 255, offset: 0, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], channelOrder: "rgb", used: "Keras 'torch' mode, torchvision" },
  // Keras 'caffe' mode (VGG, ResNet50 v1): BGR order, ImageNet mean pixel listed as B, G, R.
  caffe: { scale: 1, offset: 0, mean: [103.939, 116.779, 123.68], std: [1, 1, 1], channelOrder: "bgr", used: "VGG, ResNet v1; Keras 'caffe' mode" },
});

const KEYS = ["preset", "scale", "offset", "mean", "std", "channelOrder"] as const;

function isPreset(name: string): name is PreprocessPreset {
  return (PREPROCESS_PRESETS as readonly string[]).includes(name);
}

function unknownPreset(name: string): DlError {
  return new DlError("UNKNOWN_NAME", `Unknown preprocessing "${name}". Valid presets: ${listNames(PREPROCESS_PRESETS)}, or a JSON object of ${listNames(KEYS.slice(1))}.`, {
    details: { valid: [...PREPROCESS_PRESETS] },
  });
}

function perChannel(values: unknown, what: string, channels: number, positive: boolean): number[] {
  assertArgument(
    Array.isArray(values) && values.every((v) => typeof v === "number" && Number.isFinite(v) && (!positive || v > 0)),
    () => `${what} must be a list of ${positive ? "positive" : "finite"} numbers, got ${JSON.stringify(values)}.`,
  );
  const list = values as number[];
  assertArgument(list.length === 1 || list.length === channels, () => `${what} has ${list.length} values for ${channels} channels; give 1 or ${channels}.`);
  return list.length === channels ? [...list] : new Array<number>(channels).fill(list[0] as number);
}

/**
 * One plain object (ready for JSON) from a preset name, a JSON text, or explicit numbers; explicit
 * numbers override the named preset, or "unit" when none is named. `preset` stays set only while the
 * numbers are still that preset's, so a written object parses back to itself.
 */
export function parsePreprocessing(spec: PreprocessingSpec, channels: number): Preprocessing {
  assertArgument(Number.isInteger(channels) && channels > 0, () => `channels must be a positive integer, got ${String(channels)}.`);
  let raw: Record<string, unknown>;
  if (typeof spec === "string") {
    const text = spec.trim();
    if (!text.startsWith("{")) {
      if (!isPreset(text)) throw unknownPreset(text);
      raw = { preset: text };
    } else {
      try {
        raw = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new DlError("INVALID_ARGUMENT", `Preprocessing ${text} is not valid JSON; write e.g. {"scale": 0.00392156862745098, "mean": [0.5], "std": [0.5]}.`, { cause: error });
      }
    }
  } else {
    raw = { ...spec };
  }
  assertArgument(typeof raw === "object" && !Array.isArray(raw), () => `Preprocessing must be a preset name or an object, got ${JSON.stringify(spec)}.`);
  const unknown = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
  assertArgument(unknown.length === 0, () => `Unknown preprocessing field ${listNames(unknown.map((k) => `"${k}"`))}; valid fields: ${listNames(KEYS)}.`);

  const fields = raw as Partial<Record<(typeof KEYS)[number], unknown>>;
  const presetName = fields.preset;
  if (presetName !== undefined && (typeof presetName !== "string" || !isPreset(presetName))) throw unknownPreset(typeof presetName === "string" ? presetName : JSON.stringify(presetName));
  const base = PRESETS[presetName ?? "unit"];
  const scale = fields.scale ?? base.scale;
  const offset = fields.offset ?? base.offset;
  const channelOrder = fields.channelOrder ?? base.channelOrder;
  assertArgument(typeof scale === "number" && Number.isFinite(scale) && scale !== 0, () => `scale must be a finite non-zero number, got ${JSON.stringify(scale)}.`);
  assertArgument(typeof offset === "number" && Number.isFinite(offset), () => `offset must be a finite number, got ${JSON.stringify(offset)}.`);
  assertArgument(channelOrder === "rgb" || channelOrder === "bgr", () => `channelOrder must be "rgb" or "bgr", got ${JSON.stringify(channelOrder)}.`);
  assertArgument(channelOrder === "rgb" || channels === 3, () => `channelOrder "bgr" needs 3 channels, but the images have ${channels}; use "rgb".`);
  const what = (name: "mean" | "std"): string => (presetName !== undefined && fields[name] === undefined ? `The "${presetName}" preset's ${name}` : name);
  const mean = perChannel(fields.mean ?? base.mean, what("mean"), channels, false);
  const std = perChannel(fields.std ?? base.std, what("std"), channels, true);

  const result: Preprocessing = { scale, offset, mean, std, channelOrder };
  const same = (a: readonly number[], b: readonly number[]): boolean => a.every((v, c) => v === (b.length === 1 ? b[0] : b[c]));
  const matches =
    presetName !== undefined &&
    scale === base.scale &&
    offset === base.offset &&
    channelOrder === base.channelOrder &&
    same(mean, base.mean) &&
    same(std, base.std);
  return matches ? { preset: presetName, ...result } : result;
}

/** Model inputs from `[N, H, W, C]` pixels in [0, 1]; the caller disposes the result. */
export function preprocessTensor(x: tf.Tensor4D, p: Preprocessing): tf.Tensor4D {
  const channels = x.shape[3];
  if (channels !== p.mean.length || channels !== p.std.length) {
    throw new DlError("SHAPE_MISMATCH", `The images have ${channels} channels but the preprocessing lists ${p.mean.length} means and ${p.std.length} stds; parse it with channels = ${channels}.`);
  }
  return tf.tidy(() => {
    const ordered = p.channelOrder === "bgr" ? tf.reverse(x, -1) : x;
    // ((255 x · scale + offset) − mean) / std folded into one affine map per channel: x · a + b.
    const a = tf.tensor1d(p.std.map((s) => (255 * p.scale) / s));
    const b = tf.tensor1d(p.std.map((s, c) => (p.offset - (p.mean[c] as number)) / s));
    return tf.add(tf.mul(ordered, a), b);
  });
}

function fmt(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function fmtList(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? fmt(values[0] as number) : `[${values.map(fmt).join(", ")}]`;
}

/** One human line, e.g. `symmetric (MobileNet, Inception; Keras 'tf' mode): v/127.5 − 1, RGB, v = pixel 0…255`. */
export function describePreprocessing(p: Preprocessing): string {
  const inverse = 1 / p.scale;
  let formula = p.scale === 1 ? "v" : Math.abs(inverse - Number(inverse.toPrecision(6))) < 1e-9 * Math.abs(inverse) ? `v/${fmt(inverse)}` : `v·${fmt(p.scale)}`;
  if (p.offset !== 0) formula = `${formula} ${p.offset < 0 ? "−" : "+"} ${fmt(Math.abs(p.offset))}`;
  const centred = p.mean.some((m) => m !== 0);
  const scaled = p.std.some((s) => s !== 1);
  if (centred) formula = `${p.offset !== 0 ? `(${formula})` : formula} − ${fmtList(p.mean)}`;
  if (scaled) formula = `${centred || p.offset !== 0 ? `(${formula})` : formula} / ${fmtList(p.std)}`;
  const head = p.preset === undefined ? "custom" : `${p.preset} (${PRESETS[p.preset].used})`;
  const order = p.mean.length === 1 ? "one channel" : `channels in ${p.channelOrder.toUpperCase()} order`;
  return `${head}: ${formula}, ${order}, v = pixel 0…255`;
}
