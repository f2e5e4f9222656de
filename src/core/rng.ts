/**
 * The only source of randomness in rebalance. No module state, no Math.random.
 *
 * Generator: xoshiro128** (32-bit state words, fast in JS). Seeding and `fork`
 * go through SplitMix32-style hashing of (seed, label path), so a forked stream
 * depends only on the seed and the labels, never on how many draws were made.
 */
export interface Rng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Unbiased integer in [0, n) by rejection; n in [1, 2^32]. */
  nextInt(n: number): number;
  /** Standard normal draw (Box-Muller, both halves used). */
  nextNormal(): number;
  /** An independent stream derived from this stream's seed path and `label`. */
  fork(label: string): Rng;
  /** The label path of this stream (for diagnostics). */
  readonly path: string;
}

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units, then mixed. */
function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(
    private readonly seedKey: readonly number[],
    readonly path: string,
  ) {
    // Expand the key into 128 bits of state with a SplitMix32-like sequence.
    let x = 0x9e3779b9;
    for (const k of seedKey) x = mix32((x ^ k) + 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextFloat(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  nextInt(n: number): number {
    if (!(n >= 1) || n > 4294967296 || !Number.isInteger(n)) {
      throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    if (n === 1) return 0;
    // Lemire-style rejection on 32 bits: threshold = 2^32 mod n.
    const threshold = (4294967296 - n) % n;
    for (;;) {
      const r = this.nextUint32();
      if (r >= threshold) return r % n;
    }
  }

  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  fork(label: string): Rng {
    const key = [...this.seedKey, hashString(label, this.seedKey.length)];
    return new Xoshiro128(key, this.path ? `${this.path}/${label}` : label);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The documented default seed of the CLI. */
export const DEFAULT_SEED = 42;

/** Creates the root stream for a seed (any safe integer). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return new Xoshiro128([lo, hi], '');
}
