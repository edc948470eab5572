// The text of a GAN's sample figures (dl gan sample, and the final samples of dl gan train).
import { latentCaption, type Gan, type TruncationChoice } from "@dl/gan";
import { CLASS_NAMES, DATASET_NAMES, type DatasetName, type ImageGridOptions } from "@dl/tensor-core";

/** The dataset a checkpoint was trained on ("mnist" for "mnist/train"), when it records one. */
export function trainedDataset(g: Gan): string | undefined {
  return g.trainedOn?.name.replace(/\/[^/]*$/, "");
}

/**
 * The figure's text: a title naming the model, the label and the latent codes; for a conditional GAN sampled
 * over all labels, one column per label (samples cycle through the labels) headed by the label's name.
 */
export function sampleLayout(g: Gan, n: number, label: number | undefined, seed: number, latent: string): Pick<ImageGridOptions, "columns" | "title" | "columnLabels" | "rowLabels"> {
  const dataset = trainedDataset(g);
  const names = (DATASET_NAMES as readonly string[]).includes(dataset ?? "") ? CLASS_NAMES[dataset as DatasetName] : undefined;
  const classes = g.config.numClasses;
  const labelName = (l: number): string => names?.[l] ?? `label ${l}`;
  // The conv generator (recipe cbn-r1-conv) sits in the mlp arch beside the MLP D; the title says so.
  const convG = g.config.convGenerator === undefined ? "" : " (conv G)";
  const what = `${classes > 0 ? "conditional " : ""}${g.config.arch} GAN${convG}${dataset === undefined ? "" : ` on ${dataset}`}, epoch ${g.epoch}`;
  if (classes === 0 || label !== undefined) {
    const of = label === undefined ? "" : ` of label ${label}${labelName(label) === String(label) || names === undefined ? "" : ` (${labelName(label)})`}`;
    return { columns: Math.ceil(Math.sqrt(n)), title: `${n} samples${of}: ${what}; ${latent}, seed ${seed}` };
  }
  const columns = Math.min(classes, n);
  const rows = Math.ceil(n / columns);
  return {
    columns,
    title: `${n} samples, one column per label: ${what}; ${latent}, seed ${seed}`,
    columnLabels: Array.from({ length: columns }, (_, l) => labelName(l)),
    rowLabels: Array.from({ length: rows }, (_, r) => `#${r + 1}`),
  };
}

/** The t samples drew z with: the rule's choice under `--truncation auto`, else the given t, else none (untruncated). */
export function drawnTruncation(option: number | "auto" | null | undefined, rule: TruncationChoice | undefined): number | undefined {
  if (rule !== undefined) return rule.truncation ?? undefined;
  return typeof option === "number" ? option : undefined;
}

/**
 * How the samples drew z, for titles: `latentCaption` of the t they used, and whether the truncation
 * rule chose it (or found none, leaving z untruncated).
 */
export function latentTitle(truncation: number | undefined, rule?: TruncationChoice): string {
  const how = rule === undefined ? "" : rule.reached ? ", t by the truncation rule" : " (no t met the truncation rule)";
  return `${latentCaption(truncation)}${how}`;
}
