/**
 * `inspect`: schema with inferred types, missing values, class counts, imbalance ratio and
 * per-class mean/std of every feature. Two streaming passes; memory O(classes x features).
 */
import { openTable } from '../dataset/cell-semantics.js';
import type { ReadOptions } from '../io/source.js';
import { scanTable, type ScanOptions } from '../dataset/scan.js';
import { extractorFor, featureColumns } from './columns.js';
import { countedBatches, type JobProgress } from './progress.js';

export interface InspectColumn {
  readonly name: string;
  readonly role: 'feature' | 'label' | 'passthrough';
  readonly type: string;
  readonly missing: number;
  readonly categories?: number;
}

export interface InspectResult {
  readonly source: string;
  readonly format: 'csv' | 'arrow' | 'parquet';
  readonly rows: number;
  readonly rowsDropped: number;
  readonly label: string;
  readonly columns: readonly InspectColumn[];
  readonly classes: readonly { readonly name: string; readonly count: number; readonly share: number }[];
  /** Largest class count / smallest class count. */
  readonly imbalanceRatio: number;
  readonly minority: string;
  readonly majority: string;
  /** Per class, per numeric/boolean feature (in `features` order): mean and population std. */
  readonly features: readonly string[];
  readonly stats: Readonly<Record<string, readonly { readonly mean: number; readonly std: number }[]>>;
}

export async function inspectTable(
  input: string | undefined, read: ReadOptions = {}, scan: ScanOptions = {}, onProgress?: JobProgress,
): Promise<InspectResult> {
  const source = await openTable(input, read, scan);
  try {
    const reading = 'pass 1, reading';
    // Missing values are reported, never fatal: rows keep their missing features (skipped by the
    // statistics); rows without a label are not counted in any class (--missing drop drops rows).
    const missing = scan.missing === 'drop' ? 'drop' : 'keep';
    const source1 = onProgress ? countedBatches(source, (rows) => onProgress(reading, rows, null)) : source;
    const profile = await scanTable(source1, { ...scan, missing, missingLabel: 'drop' });
    onProgress?.(reading, profile.rowsRead, profile.rowsRead);
    // Means of category codes mean nothing: statistics cover numeric and boolean features.
    const feats = featureColumns(profile).filter((c) => c.kind !== 'categorical');
    const extract = feats.map(extractorFor);
    const k = profile.classNames.length;
    const d = feats.length;
    const sum = new Float64Array(k * d);
    const sumSq = new Float64Array(k * d);
    const count = new Float64Array(k * d);
    // Shifted sums (by the first value seen) keep the variance accurate for offset data.
    const shift = new Float64Array(k * d).fill(NaN);
    for await (const batch of source.batches()) {
      for (let i = 0; i < batch.rows.length; i++) {
        const c = profile.labels[batch.offset + i];
        if (c < 0) continue;
        const row = batch.rows[i];
        for (let f = 0; f < d; f++) {
          const x = extract[f](row[feats[f].index]);
          // Missing cells ('' -> 0 from +'', so tested on the cell) and NaN/Infinity are not in the statistics.
          const cell = row[feats[f].index];
          if (cell === '' || cell === null || cell === undefined || !Number.isFinite(x)) continue;
          count[c * d + f]++;
          if (Number.isNaN(shift[c * d + f])) shift[c * d + f] = x;
          const y = x - shift[c * d + f];
          sum[c * d + f] += y;
          sumSq[c * d + f] += y * y;
        }
      }
      onProgress?.('pass 2, statistics', Math.min(profile.rowsRead, batch.offset + batch.rows.length), profile.rowsRead);
    }
    onProgress?.('pass 2, statistics', profile.rowsRead, profile.rowsRead);
    const stats: Record<string, { mean: number; std: number }[]> = {};
    profile.classNames.forEach((name, c) => {
      stats[name] = feats.map((_, f) => {
        const n = count[c * d + f];
        const m = sum[c * d + f] / n;
        const v = Math.max(0, sumSq[c * d + f] / n - m * m);
        return { mean: m + shift[c * d + f], std: Math.sqrt(v) };
      });
    });
    let maxC = 0;
    let minC = 0;
    profile.counts.forEach((n, c) => {
      if (n > profile.counts[maxC]) maxC = c;
      if (n < profile.counts[minC]) minC = c;
    });
    return {
      source: source.name,
      format: source.format,
      rows: profile.nRows,
      rowsDropped: profile.droppedMissing + profile.droppedBadRows,
      label: profile.columns[profile.labelIndex].name,
      columns: profile.columns.map((c) => ({
        name: c.name,
        role: c.role,
        type: c.arrowType ? `${c.kind} (${String(c.arrowType)})` : c.role === 'label' ? 'label' : c.kind,
        missing: c.missing,
        ...(c.categories ? { categories: c.categories.length } : {}),
      })),
      classes: profile.classNames.map((name, c) => ({ name, count: profile.counts[c], share: profile.counts[c] / profile.nRows })),
      imbalanceRatio: profile.counts[maxC] / profile.counts[minC],
      minority: profile.classNames[minC],
      majority: profile.classNames[maxC],
      features: feats.map((c) => c.name),
      stats,
    };
  } finally {
    await source.close();
  }
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return x.toFixed(a >= 100 ? 1 : 4).replace(/\.?0+$/, '') || '0';
}

export function formatInspect(r: InspectResult): string {
  const out: string[] = [];
  out.push(`${r.source} (${r.format}): ${r.rows} rows${r.rowsDropped ? ` (${r.rowsDropped} dropped)` : ''}, ${r.columns.length} columns, label '${r.label}'`);
  out.push('');
  const nw = Math.max(6, ...r.columns.map((c) => c.name.length));
  const types = r.columns.map((c) => (c.categories !== undefined ? `${c.type}, ${c.categories} categories` : c.type));
  const tw = Math.max(4, ...types.map((t) => t.length));
  out.push(`  ${'column'.padEnd(nw)}  ${'role'.padEnd(11)}  ${'type'.padEnd(tw)}  missing`);
  r.columns.forEach((c, j) => out.push(`  ${c.name.padEnd(nw)}  ${c.role.padEnd(11)}  ${types[j].padEnd(tw)}  ${c.missing}`));
  out.push('');
  const cw = Math.max(5, ...r.classes.map((c) => c.name.length));
  out.push(`  ${'class'.padEnd(cw)}  ${'count'.padStart(9)}  share`);
  for (const c of r.classes) out.push(`  ${c.name.padEnd(cw)}  ${String(c.count).padStart(9)}  ${(c.share * 100).toFixed(2)}%`);
  out.push(`  imbalance ratio ${r.imbalanceRatio.toFixed(2)} (majority '${r.majority}' / minority '${r.minority}')`);
  if (r.features.length) {
    out.push('');
    out.push('  per-class mean ± std');
    const fw = Math.max(7, ...r.features.map((f) => f.length));
    const cols = r.classes.map((c) => c.name);
    const cellW = Math.max(
      12,
      ...cols.map((c) => c.length),
      ...cols.flatMap((c) => r.stats[c].map((s) => `${fmt(s.mean)} ± ${fmt(s.std)}`.length)),
    );
    out.push(`  ${'feature'.padEnd(fw)}  ${cols.map((c) => c.padStart(cellW)).join('  ')}`);
    r.features.forEach((f, j) => {
      out.push(`  ${f.padEnd(fw)}  ${cols.map((c) => `${fmt(r.stats[c][j].mean)} ± ${fmt(r.stats[c][j].std)}`.padStart(cellW)).join('  ')}`);
    });
  }
  return out.join('\n') + '\n';
}
