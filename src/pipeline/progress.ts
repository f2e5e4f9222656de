/**
 * Progress of a job over its input, for a display (cli/progress.ts); output never depends on it.
 */
import type { RowBatch } from '../io/batch.js';
import type { TableSource } from '../io/source.js';

/**
 * Told how far each step of a job is: `task` names the step ('pass 1, reading', 'pass 2,
 * writing'...), `done` of `total` rows (total null while the first pass counts them). Every step
 * ends with a call where done equals total.
 */
export type JobProgress = (task: string, done: number, total: number | null) => void;

/** The source with `report` told the rows read after each batch (a counting pass). */
export function countedBatches(source: TableSource, report: (rows: number) => void): TableSource {
  const batches = async function* (): AsyncGenerator<RowBatch> {
    for await (const batch of source.batches()) {
      yield batch;
      report(batch.offset + batch.rows.length);
    }
  };
  // The counting pass's byte path (CSV files) reads records: it reports every batchRows rows, sequentially.
  const csv = source.csv;
  const counted = csv && csv.batches === source.batches ? { ...csv, path: undefined, batches, onRows: report } : undefined;
  return { ...source, batches, csv: counted };
}
