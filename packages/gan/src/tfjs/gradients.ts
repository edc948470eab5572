// tfjs-core alone registers no gradient functions; training code imports this module for the side effect.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
