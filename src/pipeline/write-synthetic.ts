/**
 * Writes a sampler's generated rows (after the input rows), computing lazy blocks a block of rows
 * at a time into the writer's buffer (RowWriter.generated).
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
  const steps = block.steps !== undefined && block.features.length === 0 ? block.steps : null;
  const cols = steps ? data.features : block.features;
  const d = cols.length;
  const rowId = (i: number): number => (i < 0 ? -1 : data.rowIds ? data.rowIds[i] : i);
  const overflow = (x: number, j: number, i: number): UsageError =>
    // Finite inputs (the counting pass refuses others) interpolate to finite values; only an
    // option scaling the generated values (--shrinkage, a step) can overflow float64.
    new UsageError(
      'REBALANCE_SYNTHETIC_OVERFLOW',
      `a generated value of feature '${data.featureNames[j]}' is ${x} (added row ${i + 1}): an option scaling the generated rows (such as --shrinkage) is too large for this data's scale; use a smaller value`,
    );
  const fill = (out: Float64Array, from: number, n: number): void => {
    for (let r = 0; r < n; r++) {
      const i = from + r;
      const o = r * d;
      if (steps) {
        const src = block.sourceRow[i];
        const nb = block.neighborRow[i];
        const step = steps[i];
        for (let j = 0; j < d; j++) {
          const col = cols[j];
          // Same operation order as samplers/shared/smote-draws.ts interpolate: x + step * (nn - x).
          const x = col[src] + step * (col[nb] - col[src]);
          if (!Number.isFinite(x)) throw overflow(x, j, i);
          out[o + j] = x;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const x = cols[j][i];
          if (!Number.isFinite(x)) throw overflow(x, j, i);
          out[o + j] = x;
        }
      }
    }
  };
  let reported = 0;
  await writer.generated(
    {
      count: block.nRows,
      width: d,
      labels: block.labels,
      fill,
      source: (i) => rowId(block.sourceRow[i]),
      neighbor: (i) => rowId(block.neighborRow[i]),
    },
    progress &&
      ((written) => {
        if (written - reported < SYNTHETIC_REPORT_ROWS) return;
        reported = written;
        progress('writing added rows', written, block.nRows);
      }),
  );
  progress?.('writing added rows', block.nRows, block.nRows);
}
