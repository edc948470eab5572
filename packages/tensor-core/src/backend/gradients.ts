// tfjs-core registers no op gradients by itself; tfjs-layers registers all of them on import, both from
// its Node bundle and from its ESM build in bundlers. Deep imports of tfjs-core/dist/* break in Node ESM.
import "@tensorflow/tfjs-layers";
