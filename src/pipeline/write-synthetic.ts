/**
 * Writes a sampler's generated rows (after the input rows), computing lazy blocks row by row.
 */
import { UsageError } from '../core/errors.js';
import type { RowWriter } from '../io/row-writer.js';
import type { Dataset, SyntheticBlock } from '../types.js';
import type { JobProgress } from './progress.js';

/** Rows between two progress reports while synthetic rows are written. */
const SYNTHETIC_REPORT_ROWS = 16384;

/**
 * Writes `block` (rows of `data`'s feature space) in order; provenance names input rows through
 * `data.rowIds`. A lazy block (steps, no features) is interpolated here, with the operation order
 * of samplers/shared/smote-draws.ts's interpolate.
 */
export async function writeSynthetic(block: SyntheticBlock | null, data: Dataset, writer: RowWriter, progress?: JobProgress): Promise<void> {
  if (!block) return;
  const lazy = block.steps !== undefined && block.features.length === 0;
  const cols = lazy ? data.features : block.features;
  const d = cols.length;
  const values = new Array<number>(d);
  const rowId = (i: number): number => (i < 0 ? -1 : data.rowIds ? data.rowIds[i] : i);
  for (let i = 0; i < block.nRows; i++) {
    const src = block.sourceRow[i];
    const nb = block.neighborRow[i];
    const step = lazy ? block.steps![i] : 0;
    for (let j = 0; j < d; j++) {
      // Same operation order as samplers/shared/smote-draws.ts interpolate: x + step * (nn - x).
      const x = lazy ? cols[j][src] + step * (cols[j][nb] - cols[j][src]) : cols[j][i];
      if (!Number.isFinite(x)) {
        // Finite inputs (the counting pass refuses others) interpolate to finite values; only an
        // option scaling the generated values (--shrinkage, a step) can overflow float64.
        throw new UsageError(
          'REBALANCE_SYNTHETIC_OVERFLOW',
          `a generated value of feature '${data.featureNames[j]}' is ${x} (added row ${i + 1}): an option scaling the generated rows (such as --shrinkage) is too large for this data's scale; use a smaller value`,
        );
      }
      values[j] = x;
    }
    await writer.synthetic(values, block.labels[i], rowId(block.sourceRow[i]), rowId(block.neighborRow[i]));
    if (progress && (i + 1) % SYNTHETIC_REPORT_ROWS === 0) progress('writing added rows', i + 1, block.nRows);
  }
  progress?.('writing added rows', block.nRows, block.nRows);
}
