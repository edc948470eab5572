// Browser entries: PNGs written by fast-png, pure JavaScript (its deflate is fflate's), so it runs wherever the
// package does. Imported for its effect by index.ts and index.host.ts; Node's entries use pngNode.ts instead.
import { encode } from "fast-png";

import { pngWriter, type PngImage } from "./png.js";

/** `image` (already checked by `encodePng`) as PNG bytes through fast-png: no row filter, fflate at level 3. */
export function writePngPortable({ width, height, data, channels }: PngImage): Uint8Array {
  return encode({ width, height, data, channels, depth: 8 });
}

pngWriter.install({ write: () => writePngPortable });
