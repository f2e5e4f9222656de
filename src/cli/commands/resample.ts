/**
 * `rebalance resample <input> -m <method>`: the core job.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { writeFile } from 'node:fs/promises';
import { addInputOptions, addKnnOptions, addSeedOption, readOptions, reporter, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { intIn, list, numberIn } from '../parse.js';
import type { SamplerOptions } from '../../types.js';

interface ResampleFlags extends InputFlags, KnnFlags {
  method: string;
  strategy?: string;
  classes?: string[];
  kNeighbors?: number;
  mNeighbors?: number;
  nNeighbors?: number;
  nNeighborsVer3?: number;
  kAuto?: boolean;
  variant?: string;
  nearMissVersion?: number;
  maxIter?: number;
  allowMinority?: boolean;
  thresholdCleaning?: number;
  shrinkage?: string;
  replacement?: boolean;
  voting?: 'auto' | 'soft' | 'hard';
  clusters?: number;
  clusterBalanceThreshold?: number;
  outStep?: number;
  first?: string;
  seed: number;
  output?: string;
  format?: string;
  provenance?: boolean;
  round: boolean;
  safeCsv?: boolean;
  quiet?: boolean;
  summaryJson?: string;
}

const EXAMPLES = `
Examples:
  $ rebalance resample data.csv -m random-under -o balanced.csv
  $ cat data.csv | rebalance resample - -m smote -k 5 > out.csv
  $ rebalance resample data.arrow -m smote --strategy 'fraud=5000' --provenance -o out.arrow
  $ rebalance resample data.csv -m random-over --strategy 0.5 --seed 7 --summary-json summary.json
  $ rebalance resample data.csv -m tomek-links --strategy all -o cleaned.csv

Strategies (--strategy, imbalanced-learn's sampling_strategy):
  auto | minority | majority | not minority | not majority | all
  a ratio such as 0.5 (binary only: minority/majority after resampling)
  per-class counts such as 'fraud=5000,ok=20000' (the final count of each named class)
Cleaning methods take --classes a,b (the classes to clean) instead of counts.

Output: kept input rows in input order (values unchanged), then added rows grouped by class.
Synthetic values of integer columns are rounded to the nearest integer (imbalanced-learn
truncates silently); --no-round keeps them fractional (Arrow output then widens those columns to
Float64). A before/after class table goes to stderr (--quiet silences it).`;

function parseShrinkage(text: string | undefined): SamplerOptions['shrinkage'] {
  if (text === undefined) return undefined;
  try {
    if (/^[^=]+$/.test(text)) return numberIn(0, Infinity)(text);
    const out: Record<string, number> = {};
    for (const part of list(text)) {
      const eq = part.lastIndexOf('=');
      if (eq <= 0) throw new InvalidArgumentError(`expected 'class=number' items, got '${part}'.`);
      out[part.slice(0, eq)] = numberIn(0, Infinity)(part.slice(eq + 1));
    }
    return out;
  } catch (e) {
    throw new UsageError('REBALANCE_BAD_OPTION', `option '--shrinkage <x>' argument '${text}' is invalid: ${(e as Error).message}`);
  }
}

export function resampleCommand(ctx: CliContext): Command {
  const cmd = new Command('resample')
    .description('rebalance a table with one method and write it out')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .requiredOption('-m, --method <name>', 'resampling method (see `rebalance methods`)')
    .option('--strategy <s>', 'sampling strategy (default: auto)')
    .option('--classes <names>', 'cleaning methods: comma-separated classes to clean', list)
    .option('-k, --k-neighbors <n>', 'SMOTE family: neighbours for interpolation (default 5)', intIn(1, 1000))
    .option('--m-neighbors <n>', 'Borderline/SVM-SMOTE: neighbours deciding danger (default 10)', intIn(1, 1000))
    .option('--n-neighbors <n>', 'cleaning methods: neighbours (ENN/RENN/AllKNN/NearMiss 3, CNN/OSS 1)', intIn(1, 1000))
    .option('--n-neighbors-ver3 <n>', 'NearMiss-3: neighbours of the first step (default 3)', intIn(1, 1000))
    .option('--k-auto', 'clamp k to (class size - 1) instead of failing on small classes')
    .option('--variant <v>', 'borderline-smote: borderline-1|borderline-2; enn/renn/all-knn: all|mode (kind_sel)')
    .option('--near-miss-version <v>', 'NearMiss version 1, 2 or 3 (default 1)', intIn(1, 3))
    .option('--max-iter <n>', 'RENN: maximum iterations (default 100)', intIn(1, 1_000_000))
    .option('--allow-minority', 'AllKNN: allow the majority class to become the minority')
    .option('--threshold-cleaning <x>', 'NCR: threshold (default 0.5)', numberIn(0, 1))
    .option('--shrinkage <x>', "random-over: smoothed bootstrap factor, one number or 'cls=x,...'")
    .option('--replacement', 'random-under: sample with replacement')
    .addOption(new Option('--voting <v>', 'cluster-centroids: soft (centroids) or hard (nearest real rows)').choices(['auto', 'soft', 'hard']))
    .option('--clusters <n>', 'KMeans-SMOTE / cluster-centroids: number of k-means clusters', intIn(1, 1_000_000))
    .option('--cluster-balance-threshold <x>', 'KMeans-SMOTE: minimum minority share of a cluster', numberIn(0, 1))
    .option('--out-step <x>', 'SVM-SMOTE: extrapolation step (default 0.5)', numberIn(0, Infinity))
    .option('--first <method>', 'smote-tomek / smote-enn: the SMOTE variant run first (default smote)')
    .option('-o, --output <path>', "output file; '-' or nothing for stdout (written atomically)")
    .option('--format <format>', 'output format: csv, tsv, arrow (IPC file), arrows (IPC stream); default from the extension')
    .option('--provenance', 'add _synthetic, _source_row, _neighbor_row columns to audit every added row')
    .option('--no-round', 'keep synthetic values of integer columns fractional')
    .option('--safe-csv', "prefix text cells starting with = + - @ with ' (spreadsheet formula injection)")
    .option('-q, --quiet', 'no summary or progress line on stderr')
    .option('--summary-json <file>', 'write the before/after summary as JSON');
  addSeedOption(cmd);
  addInputOptions(cmd);
  addKnnOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (input: string, flags: ResampleFlags) => {
    const [{ runResample }, { createRng }, { parseStrategy }, { openKnn }] = await Promise.all([
      import('../../pipeline/resample.js'),
      import('../../core/rng.js'),
      import('../../samplers/strategy.js'),
      import('../../neighbors/open.js'),
    ]);
    const report = reporter(ctx, flags.quiet, flags.output === undefined || flags.output === '-');
    const log = report.log;
    const def = (await import('../../samplers/registry.js')).getSampler(flags.method);
    if (flags.classes && def.kind !== 'clean') {
      throw new UsageError('REBALANCE_BAD_OPTION', `--classes names the classes a cleaning method cleans; '${def.name}' is an ${def.kind}-sampler: use --strategy instead`);
    }
    if (flags.classes && flags.strategy !== undefined) {
      throw new UsageError('REBALANCE_BAD_OPTION', '--classes and --strategy both choose the classes to resample; give one of them');
    }
    const strategy = flags.strategy === undefined ? undefined : parseStrategy(flags.strategy);
    const samplerOptions: SamplerOptions = {
      kNeighbors: flags.kNeighbors,
      mNeighbors: flags.mNeighbors,
      nNeighbors: flags.nNeighbors,
      nNeighborsVer3: flags.nNeighborsVer3,
      kAuto: flags.kAuto,
      variant: flags.variant,
      version: flags.nearMissVersion,
      maxIter: flags.maxIter,
      allowMinority: flags.allowMinority,
      thresholdCleaning: flags.thresholdCleaning,
      shrinkage: parseShrinkage(flags.shrinkage),
      replacement: flags.replacement,
      voting: flags.voting,
      nClusters: flags.clusters,
      clusterBalanceThreshold: flags.clusterBalanceThreshold,
      outStep: flags.outStep,
      first: flags.first,
      classes: flags.classes,
    };
    const summary = await runResample({
      input,
      output: flags.output,
      format: flags.format,
      read: readOptions(flags, ctx.signal),
      scan: scanOptions(flags, ctx.signal),
      method: flags.method,
      strategy,
      samplerOptions,
      rng: createRng(flags.seed),
      seed: flags.seed,
      provenance: flags.provenance,
      round: flags.round,
      safeCsv: flags.safeCsv,
      scale: flags.scale,
      knn: () => openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, onProgress: report.knnProgress, signal: ctx.signal }),
      log,
      signal: ctx.signal,
      version: ctx.version,
      onProgress: report.jobProgress,
    }).finally(report.end);
    if (!flags.quiet) ctx.stderr.write(formatSummary(summary));
    if (flags.summaryJson) {
      const { writeJsonAtomic } = await import('../../io/json.js');
      await writeJsonAtomic(flags.summaryJson, summary);
    }
  });
  return cmd;
}

type Summary = Awaited<ReturnType<typeof import('../../pipeline/resample.js').runResample>>;

export function formatSummary(s: Summary): string {
  const w = Math.max(5, ...s.classes.map((c) => c.name.length));
  const nw = Math.max(6, ...s.classes.map((c) => String(Math.max(c.before, c.after)).length));
  const lines = [
    `${s.method} (seed ${s.seed}): ${s.input} -> ${s.output} [${s.format}], ${s.rowsWritten} rows written (${s.syntheticRows} added) in ${s.seconds.toFixed(2)} s`,
    `  ${'class'.padEnd(w)}  ${'before'.padStart(nw)}  ${'after'.padStart(nw)}`,
    ...s.classes.map((c) => `  ${c.name.padEnd(w)}  ${String(c.before).padStart(nw)}  ${String(c.after).padStart(nw)}`),
  ];
  if (s.rowsDropped.missing || s.rowsDropped.badRows) {
    lines.push(`  dropped: ${s.rowsDropped.missing} with missing values, ${s.rowsDropped.badRows} malformed`);
  }
  return lines.join('\n') + '\n';
}
