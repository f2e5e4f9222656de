/**
 * `rebalance resample <input> -m <method>`: the core job.
 */
import { Command } from 'commander';
import { addInputOptions, addKnnOptions, addSeedOption, addStrategyOption, readOptions, reporter, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { addSamplerOptions, checkClassesOption, samplerOptionsFrom } from '../sampler-options.js';
import { parseStrategy } from '../strategy-text.js';
import { checkOutputTargets } from '../output-targets.js';

interface ResampleFlags extends InputFlags, KnnFlags {
  method: string;
  strategy?: string;
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
  $ rebalance resample data.csv -m SMOTE --sampling-strategy '{"fraud": 5000}' --random-state 7 -o out.csv
  $ rebalance resample euro.csv -d ';' --decimal , --na-values 'NA,-' -m random-under -o out.csv

Strategies (--strategy, imbalanced-learn's sampling_strategy):
  auto | minority | majority | not minority | not majority | all
  a ratio such as 0.5 (binary only: minority/majority after resampling)
  per-class counts such as 'fraud=5000,ok=20000' (the final count of each named class)
  JSON per-class counts such as '{"fraud": 5000}' (imbalanced-learn's dict)
Cleaning methods take --classes a,b (the classes to clean) instead of counts.

Output: kept input rows in input order (values unchanged), then added rows grouped by class.
Synthetic values of integer columns are rounded to the nearest integer (imbalanced-learn
truncates silently); --no-round keeps them fractional (Arrow output then widens those columns to
Float64). A before/after class table goes to stderr (--quiet silences it).`;

export function resampleCommand(ctx: CliContext): Command {
  const cmd = new Command('resample')
    .description('rebalance a table with one method and write it out')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .requiredOption('-m, --method <name>', 'resampling method (see `rebalance methods`; imbalanced-learn class names work too)');
  addStrategyOption(cmd);
  addSamplerOptions(cmd);
  cmd
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
    const [{ runResample }, { createRng }, { openKnn }] = await Promise.all([
      import('../../pipeline/resample.js'),
      import('../../core/rng.js'),
      import('../../neighbors/open.js'),
    ]);
    await checkOutputTargets([
      { option: '-o', path: flags.output, stdoutDefault: true },
      { option: '--summary-json', path: flags.summaryJson },
    ]);
    const report = reporter(ctx, flags.quiet, flags.output === undefined || flags.output === '-');
    const log = report.log;
    const def = (await import('../../samplers/registry.js')).getSampler(flags.method);
    const samplerOptions = samplerOptionsFrom(flags);
    checkClassesOption(samplerOptions, flags.strategy, [def]);
    const strategy = flags.strategy === undefined ? undefined : parseStrategy(flags.strategy);
    const summary = await runResample({
      input,
      output: flags.output,
      format: flags.format,
      read: readOptions(flags, ctx.signal),
      scan: scanOptions(flags, ctx.signal, log),
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
