// tfjs-core registers no gradient functions by itself; @dl/tensor-core registers them all (through
// tfjs-layers) in a way that works in Node ESM and in bundlers. Training code imports this module.
import "@dl/tensor-core";
