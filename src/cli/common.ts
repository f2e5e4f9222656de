/**
 * Options shared by every command that reads a table, and the run context commands receive.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_SEED } from '../core/rng.js';
import type { ReadOptions } from '../io/source.js';
import type { ScanOptions } from '../dataset/scan.js';
import type { JobProgress } from '../pipeline/progress.js';
import type { KnnProgress } from '../types.js';
import { delimiter, intIn, list, naValues, oneOf } from './parse.js';
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
  features?: string[];
  select?: string[];
  exclude?: string[];
  naValues?: string[];
  decimal?: '.' | ',';
  batchSize: number;
  inputFormat?: 'csv' | 'arrow' | 'parquet';
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--label <column>', 'label column (default: the column named label, class, target or y)')
    .option('--no-header', 'the CSV has no header row; columns are named col0, col1, ...')
    .addOption(alias(new Option('-n, --no-headers', 'same as --no-header (xsv/qsv spelling)'), 'header'))
    .option('-d, --delimiter <char>', 'CSV field delimiter (default: auto-detect; tab, comma, semicolon, pipe accepted by name)', delimiter)
    .addOption(new Option('--missing <mode>', 'missing cells / NaN in features or label: error, or drop the row (resample with random-under/random-over keeps rows with missing features)').choices(['error', 'drop']).default('error'))
    .option('--na-values <list>', "comma-separated cell texts read as missing (default: pandas' set: NA, N/A, NaN, null, NULL, None, #N/A, ...); '' = only empty cells", naValues)
    .addOption(new Option('--decimal <char>', "decimal separator of CSV numbers (default: '.', or ',' detected in ';'-separated files)").choices(['.', ',']))
    .addOption(new Option('--on-bad-row <mode>', 'rows with the wrong number of fields: error, or skip (counted on stderr)').choices(['error', 'skip']).default('error'))
    .option('--categorical <columns>', 'comma-separated columns to treat as categorical features', list)
    .option('--passthrough <columns>', 'comma-separated columns carried through untouched (ids, free text)', list)
    .option('--features <columns>', 'comma-separated columns used as features even when named like ids (id, *_id, uuid, key) or holding dates', list)
    .option('--select <columns>', "feature columns by name or 1-based index/range, e.g. '1-5,amount' (the others are carried through)", list)
    .option('--exclude <columns>', "columns (names or 1-based indices/ranges) not used as features: carried through", list)
    .option('--batch-size <rows>', 'rows per processing batch (output never depends on it)', intIn(1, 10_000_000), 16384)
    .addOption(new Option('--input-format <format>', 'force the input format instead of detecting it from magic bytes').choices(['csv', 'arrow', 'parquet']));
}

export function readOptions(f: InputFlags, signal?: AbortSignal): ReadOptions {
  return { header: f.header, delimiter: f.delimiter, batchSize: f.batchSize, format: f.inputFormat, signal };
}

/** `log`: where notices about column roles (ids, dates, decimal comma) go. */
export function scanOptions(f: InputFlags, signal?: AbortSignal, log?: (m: string) => void): ScanOptions {
  return {
    label: f.label,
    missing: f.missing,
    onBadRow: f.onBadRow,
    categorical: f.categorical,
    passthrough: f.passthrough,
    features: f.features,
    select: f.select,
    exclude: f.exclude,
    naValues: f.naValues,
    decimal: f.decimal,
    onNotice: log,
    signal,
  };
}

/** A second spelling of an option: stores its value under `attribute` (the first spelling's). */
function alias(option: Option, attribute: string): Option {
  option.attributeName = () => attribute;
  return option;
}

export function addSeedOption(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'random seed; the same seed gives byte-identical output', intIn(0), DEFAULT_SEED)
    .addOption(alias(new Option('--random-state <n>', "same as --seed (imbalanced-learn's random_state)").argParser(intIn(0)), 'seed'));
}

/**
 * evaluate's stdout format: `--format text|markdown|json` (read as `flags.output`, where the
 * command has always read it). `--output FORMAT` still works for one more version, with a
 * deprecation notice: `-o/--output` names an output file in every other command.
 */
export function addStdoutFormatOption(cmd: Command, ctx: CliContext): Command {
  const formats = ['text', 'markdown', 'json'];
  cmd
    .addOption(alias(new Option('--format <format>', 'what goes to stdout').choices(formats).default('text'), 'output'))
    .addOption(new Option('--output <format>', 'deprecated: use --format').choices(formats).hideHelp());
  cmd.on('option:output', () => ctx.stderr.write('rebalance: --output text|markdown|json is deprecated, use --format (in a later version --output names a file, as -o does everywhere)\n'));
  return cmd;
}

/** --sampling-strategy (imbalanced-learn's name) for a command that has --strategy already. */
export function addStrategyAlias(cmd: Command): Command {
  return cmd.addOption(alias(new Option('--sampling-strategy <s>', "same as --strategy (imbalanced-learn's sampling_strategy)"), 'strategy'));
}

/** --strategy, and --sampling-strategy (imbalanced-learn's name) for the same value. */
export function addStrategyOption(cmd: Command, help = 'sampling strategy (default: auto)'): Command {
  return cmd
    .option('--strategy <s>', `${help}; also JSON such as '{"fraud": 5000}'`)
    .addOption(alias(new Option('--sampling-strategy <s>', "same as --strategy (imbalanced-learn's sampling_strategy)"), 'strategy'));
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

/** Writes a line to stderr unless quiet; a notice already written in this run is not repeated. */
function notice(ctx: CliContext, quiet: boolean | undefined): (m: string) => void {
  const said = new Set<string>();
  return (m) => {
    if (quiet || said.has(m)) return;
    said.add(m);
    ctx.stderr.write(`rebalance: ${m}\n`);
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
