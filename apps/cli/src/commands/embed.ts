import type { Command } from "commander";

/** `dl embed` (layer-by-layer embeddings); filled in by embed/. */
export function registerEmbedCommand(program: Command): void {
  void program;
}
