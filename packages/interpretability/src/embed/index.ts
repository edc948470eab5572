// @dl/interpretability/embed: a model's layers embedded side by side (t-SNE per layer, aligned) and their pictures.
export { layerEmbeddings } from "./layerEmbeddings.js";
export type { LayerEmbedding, LayerEmbeddingOptions } from "./layerEmbeddings.js";
export { explorerHtml, gridMosaic, layerEmbeddingSections, pointMosaic } from "./pictures.js";
export { embeddingPerplexity, layerEmbeddingFileNames, layerEmbeddingLine, layerEmbeddingTable, spreadOverLabels } from "./summary.js";
export type { LayerEmbeddingFigures } from "./summary.js";
