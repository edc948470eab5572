// The `vi.mock` factories of the stat files whose code under test pretrains or reads features through its own imports
// (`runFewShotExperiment`): one home for the block each such file would otherwise repeat. A file mocks a module with
// `vi.mock(path, async (importOriginal) => (await import("../test-utils/cachedModules.js")).<factory>(importOriginal))`:
// the factory is hoisted above the file's imports, so it imports this module itself. This module imports the mocked
// modules' types only, since a runtime import of a module from inside its own mock factory would wait on itself.
import type * as Embedding from "../pretrain/embedding.js";
import type * as Supervised from "../pretrain/supervised.js";

/** What vitest passes a `vi.mock` factory: the real module. */
type ImportOriginal = <M>() => Promise<M>;

/** `pretrain/supervised.js` with `pretrainClassifier` through the networks' disk cache (`cachedPretraining`). */
export async function supervisedThroughCache(importOriginal: ImportOriginal): Promise<typeof Supervised> {
  const actual = await importOriginal<typeof Supervised>();
  const { cachedPretraining } = await import("./sharedNetworks.js");
  return { ...actual, pretrainClassifier: cachedPretraining(actual.pretrainClassifier) };
}

/** `pretrain/embedding.js` with `pretrainedFeatures` through the same disk cache (`cachedFeatureExtraction`). */
export async function embeddingThroughCache(importOriginal: ImportOriginal): Promise<typeof Embedding> {
  const actual = await importOriginal<typeof Embedding>();
  const { cachedFeatureExtraction } = await import("./sharedResults.js");
  return { ...actual, pretrainedFeatures: cachedFeatureExtraction(actual.pretrainedFeatures) };
}
