// The whole package; `@dl/interpretability/tcav`, `/tsne` and `/embed` load one part each
// (a TCAV user then loads no t-SNE workers, WebAssembly or FFT).
export * from "./tcav/index.js";
export * from "./tsne/index.js";
export * from "./embed/index.js";
