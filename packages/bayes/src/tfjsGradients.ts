// tfjs-core registers no op gradients by itself; @dl/tensor-core registers them all (through tfjs-layers)
// in a way that works in Node ESM and in bundlers. Every file that differentiates imports this module.
import "@dl/tensor-core";
