import { assertArgument } from "../errors.js";

/**
 * A seeded generator: xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32.
 * Same seed → same stream on every platform; `fork` derives independent child streams.
 */
export interface Rng {
  /** The seed this stream was created from. */
  readonly seed: number;
  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** Standard normal draw (Box–Muller, one value per call, the pair cached). */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** `k` distinct indices from 0..n-1, in random order. */
  sample(n: number, k: number): Int32Array;
  /** A seed for tfjs random ops (`tf.randomNormal(…, seed)`), drawn from this stream. */
  tfSeed(): number;
  /** An independent generator derived from this one (consumes one draw). */
  fork(): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.seed = seed;
    // Mix in the high bits so seeds above 2^32 still differ.
    const mix = splitmix32((seed >>> 0) ^ Math.floor(seed / 4294967296));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(maxExclusive: number): number {
    assertArgument(Number.isInteger(maxExclusive) && maxExclusive > 0, () => `int(max) needs a positive integer, got ${maxExclusive}.`);
    return Math.floor(this.next() * maxExclusive);
  }

  normal(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i] as number;
      p[i] = p[j] as number;
      p[j] = tmp;
    }
    return p;
  }

  sample(n: number, k: number): Int32Array {
    assertArgument(k <= n, () => `Cannot draw ${k} distinct indices from ${n}; ask for at most ${n}.`);
    return this.permutation(n).slice(0, k);
  }

  tfSeed(): number {
    // tfjs seeds go through seedrandom; keep them in the safe-integer, positive range.
    return this.nextUint32();
  }

  fork(): Rng {
    return new Xoshiro128(this.nextUint32() * 65536 + (this.nextUint32() & 0xffff));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Default seed used when a caller gives none; documented so runs are reproducible by default. */
export const DEFAULT_SEED = 42;

/** A seeded generator. `seed` must be a finite integer (negative allowed). */
export function createRng(seed: number = DEFAULT_SEED): Rng {
  assertArgument(Number.isSafeInteger(seed), () => `A seed must be a safe integer, got ${String(seed)}.`);
  return new Xoshiro128(seed);
}
