/**
 * Seeded keys of global row ids for the distributed random samplers: a row's key depends only on
 * the seed, its class name and its global row id, never on which partition holds it, so a
 * bottom-k selection by (key, id) is the same however the ordered rows are split. The per-class
 * key words come from the one seeded Rng (core/rng.ts), forked by label `dist/<class name>`.
 */
import { createRng } from '../core/rng.js';

function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The key function of one class: global row id -> an integer in [0, 2^53), uniform and seeded. */
export function classKeyer(seed: number, className: string): (gid: number) => number {
  const rng = createRng(seed).fork(`dist/${className}`);
  const k1 = rng.nextUint32();
  const k2 = rng.nextUint32();
  const k3 = rng.nextUint32();
  return (gid) => {
    const lo = gid >>> 0;
    const hi = Math.floor(gid / 4294967296) >>> 0;
    const a = mix32((mix32((k1 ^ lo) >>> 0) ^ hi ^ k2) >>> 0);
    const b = mix32((a ^ k3 ^ mix32((lo + 0x9e3779b9) >>> 0)) >>> 0);
    return a * 2097152 + (b >>> 11);
  };
}

/** Orders (key, gid) pairs: by key, ties by the lower global row id. */
export function compareKeyed(ak: number, ag: number, bk: number, bg: number): number {
  return ak - bk || ag - bg;
}
