/**
 * Options shared by every command that reads a table, and the run context commands receive.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_SEED } from '../core/rng.js';
import type { ReadOptions } from '../io/source.js';
import type { ScanOptions } from '../dataset/scan.js';
import type { JobProgress } from '../pipeline/progress.js';
import type { KnnProgress } from '../types.js';
import { delimiter, intIn, list, oneOf } from './parse.js';
import { progressLine, type ProgressLine } from './progress.js';

export interface CliContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly signal: AbortSignal;
  readonly version: string;
}

export interface InputFlags {
  label?: string;
  header: boolean;
  delimiter?: string;
  missing: 'error' | 'drop';
  onBadRow: 'error' | 'skip';
  categorical?: string[];
  passthrough?: string[];
  batchSize: number;
  inputFormat?: 'csv' | 'arrow' | 'parquet';
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--label <column>', 'label column (default: the column named label, class, target or y)')
    .option('--no-header', 'the CSV has no header row; columns are named col0, col1, ...')
    .option('--delimiter <char>', 'CSV field delimiter (default: auto-detect; tab, comma, semicolon, pipe accepted by name)', delimiter)
    .addOption(new Option('--missing <mode>', 'empty cells / NaN in features or label: error, or drop the row').choices(['error', 'drop']).default('error'))
    .addOption(new Option('--on-bad-row <mode>', 'rows with the wrong number of fields: error, or skip (counted on stderr)').choices(['error', 'skip']).default('error'))
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical features', list)
    .option('--passthrough <columns>', 'comma-separated columns carried through untouched (ids, free text)', list)
    .option('--batch-size <rows>', 'rows per processing batch (output never depends on it)', intIn(1, 10_000_000), 16384)
    .addOption(new Option('--input-format <format>', 'force the input format instead of detecting it from magic bytes').choices(['csv', 'arrow', 'parquet']));
}

export function readOptions(f: InputFlags, signal?: AbortSignal): ReadOptions {
  return { header: f.header, delimiter: f.delimiter, batchSize: f.batchSize, format: f.inputFormat, signal };
}

export function scanOptions(f: InputFlags, signal?: AbortSignal): ScanOptions {
  return { label: f.label, missing: f.missing, onBadRow: f.onBadRow, categorical: f.categorical, passthrough: f.passthrough, signal };
}

export function addSeedOption(cmd: Command): Command {
  return cmd.option('--seed <n>', 'random seed; the same seed gives byte-identical output', intIn(0), DEFAULT_SEED);
}

export const KNN_BACKENDS = ['auto', 'cpu', 'webgpu'] as const;
export const KNN_ALGORITHMS = ['auto', 'brute', 'kd-tree'] as const;

export interface KnnFlags {
  knnBackend: (typeof KNN_BACKENDS)[number];
  knnAlgorithm: (typeof KNN_ALGORITHMS)[number];
  threads?: number;
  scale: 'none' | 'standard' | 'minmax';
}

export function addKnnOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--knn-backend <name>', 'k-nearest-neighbour backend: auto (GPU when available and the problem is big), cpu, webgpu').choices(KNN_BACKENDS).default('auto'))
    .addOption(new Option('--knn-algorithm <name>', 'cpu search: auto (from the data shape), brute, kd-tree').choices(KNN_ALGORITHMS).default('auto'))
    .option('--threads <n>', 'worker threads for kNN: the cpu search, the webgpu re-rank (default: all cores; webgpu at most 8)', intIn(1, 1024))
    .addOption(new Option('--scale <mode>', 'scale features for distances only (output values are never scaled)').choices(['none', 'standard', 'minmax']).default('none'));
}

export { oneOf };

/** Writes a line to stderr unless quiet. */
function notice(ctx: CliContext, quiet: boolean | undefined): (m: string) => void {
  return (m) => {
    if (!quiet) ctx.stderr.write(`rebalance: ${m}\n`);
  };
}

export interface Reporter {
  /** A notice line on stderr (none when quiet); clears the progress line first. */
  readonly log: (m: string) => void;
  /** The progress line: only on a terminal, and not when quiet. */
  readonly line: ProgressLine | null;
  /** For openKnn: shows each kNN search's progress on the line. */
  readonly knnProgress?: KnnProgress;
  /** For a job over the input (resample, inspect): shows each step's progress on the line. */
  readonly jobProgress?: JobProgress;
  /** Removes the progress line: before the command's own summary, and when it fails. */
  end(): void;
}

/**
 * What a command that may search neighbours for minutes says on stderr (see progress.ts).
 * `dataOnStdout`: the command writes its data to stdout; when that is the same terminal, the
 * progress line would tangle with the rows, so there is none.
 */
export function reporter(ctx: CliContext, quiet: boolean | undefined, dataOnStdout = false): Reporter {
  const terminal = (s: NodeJS.WritableStream): boolean => (s as NodeJS.WriteStream).isTTY === true;
  const tty = terminal(ctx.stderr) && !quiet && !(dataOnStdout && terminal(ctx.stdout));
  const line = tty ? progressLine(ctx.stderr as NodeJS.WriteStream) : null;
  const say = notice(ctx, quiet);
  return {
    line,
    log: (m) => {
      line?.clear();
      say(m);
    },
    knnProgress: line ? (done, total) => line.update('kNN search', done, total) : undefined,
    jobProgress: line ? (task, done, total) => line.update(task, done, total) : undefined,
    end: () => line?.clear(),
  };
}
