import { registerBackendCandidate } from "./registry.js";

// Node only. The specifier is built at run time so bundlers never try to resolve the optional peer.
const TFJS_NODE = ["@tensorflow", "tfjs-node"].join("/");

/** Loads the optional native backend; a missing package or addon throws and selection falls through. */
export async function loadTfjsNode(): Promise<void> {
  await import(/* @vite-ignore */ TFJS_NODE);
}

registerBackendCandidate({
  name: "tfjs-node",
  tfName: "tensorflow",
  priority: 100,
  platforms: ["node"],
  load: loadTfjsNode,
});
