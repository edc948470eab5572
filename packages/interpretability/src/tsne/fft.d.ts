// Minimal types for fft.js 4 (indutny), which ships none: interleaved complex arrays [re0, im0, re1, …].
declare module "fft.js" {
  type NumberArray = number[] | Float64Array | Float32Array;
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    transform(output: NumberArray, input: NumberArray): void;
    inverseTransform(output: NumberArray, input: NumberArray): void;
    realTransform(output: NumberArray, input: NumberArray): void;
    completeSpectrum(spectrum: NumberArray): void;
  }
}
