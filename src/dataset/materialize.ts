/**
 * Turns a sampler's result (kept indices + duplicates + synthetic block) into a new Dataset,
 * in output order. The library's in-memory counterpart of the streaming writer.
 */
import type { Dataset, Resampled } from '../types.js';

export function materialize(data: Dataset, res: Resampled): Dataset {
  const kept = res.indices;
  const dups = res.duplicates ?? new Int32Array(0);
  const syn = res.synthetic;
  const nSyn = syn ? syn.nRows : 0;
  const n = kept.length + dups.length + nSyn;
  const rows = new Int32Array(kept.length + dups.length);
  rows.set(kept, 0);
  rows.set(dups, kept.length);
  const features = data.features.map((col, j) => {
    const out = new Float64Array(n);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    if (syn) out.set(syn.features[j], rows.length);
    return out;
  });
  const labels = new Int32Array(n);
  for (let i = 0; i < rows.length; i++) labels[i] = data.labels[rows[i]];
  if (syn) labels.set(syn.labels, rows.length);
  const rowIds = new Int32Array(n).fill(-1);
  for (let i = 0; i < rows.length; i++) rowIds[i] = data.rowIds ? data.rowIds[rows[i]] : rows[i];
  const passthrough = new Map<string, (string | null)[]>();
  for (const [name, col] of data.passthrough) {
    const out: (string | null)[] = new Array(n).fill(null);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    passthrough.set(name, out);
  }
  return { ...data, nRows: n, features, labels, passthrough, rowIds };
}
