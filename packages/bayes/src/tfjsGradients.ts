// tfjs-core registers op gradients only through this side-effect module; every file that
// differentiates imports it (through distribution.ts or special/ops.ts).
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
