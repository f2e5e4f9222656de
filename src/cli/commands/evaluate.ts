/**
 * `rebalance evaluate`: does rebalancing help? Stratified k-fold cross-validation of samplers x
 * models where only the training folds are resampled; a ranked table, a markdown report with
 * PR/ROC plots, JSON for machines, and --fail-under gates for CI.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { basename, dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { DataError, UsageError } from '../../core/errors.js';
import { addInputOptions, addKnnOptions, addSeedOption, addStdoutFormatOption, addStrategyAlias, readOptions, reporter, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { checkOutputTargets } from '../output-targets.js';
import { ioErrorFrom } from '../../io/fs-errors.js';
import { modelNames } from '../../models/registry.js';
import { addModelOptions, addPositiveOption, modelOptionsFrom } from '../model-options.js';
import { intIn, list } from '../parse.js';
import { addSamplerOptions, checkClassesOption, samplerOptionsFrom } from '../sampler-options.js';
import { parseStrategy } from '../strategy-text.js';

interface EvaluateFlags extends InputFlags, KnnFlags, VerdictFlags {
  samplers?: string[];
  models: string[];
  folds: number;
  repeats: number;
  positive?: string;
  threshold: string;
  strategy?: string;
  seed: number;
  report?: string;
  json?: string;
  plots?: string;
  failUnder?: string;
  output: 'text' | 'markdown' | 'json';
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ rebalance evaluate examples/transactions.csv --label is_fraud
  $ rebalance evaluate data.csv --samplers none,random-under,smote --models logistic,mlp --folds 5 \\
      --report report.md --json results.json
  $ rebalance evaluate data.csv --samplers none,class-weight,smote --models logistic,gbdt   # weights vs SMOTE vs nothing
  $ rebalance evaluate data.csv --samplers none,smote --models logistic --fail-under pr_auc=0.6   # CI gate

Only the training folds are resampled; each test fold is scored on original rows only, so the
numbers say what a model trained on rebalanced data does on data that was never resampled.
Ranking: mean of --rank-by (default PR-AUC, average precision of the positive class), descending.
Verdict: each setup minus the same model with sampler 'none', per fold over folds x repeats; a 95%
interval by the corrected resampled t-test (Nadeau & Bengio): 'helps' only when it lies above 0,
'~best' when a setup cannot be told apart from the best. 3 repeats by default: with 1 the
intervals are about 1.5 times as wide.
'class-weight' in --samplers is cost-sensitive learning as a setup of its own: no resampling, the model
trained with balanced class weights (logistic, mlp, gbdt, random-forest; other models skip it with a
note), judged against 'none' like any sampler.
A sampler or model that fails on a fold (e.g. kmeans-smote finds no cluster) fails that setup
only: it is listed under the table with its error, the rest is ranked, and the exit code is 0
with a warning; 3 with --strict, or when no setup completed.
--fail-under applies to the best-ranked row and exits with code 3 when it misses the bar.`;

/** The verdict's metric and the failed-setup rule. */
interface VerdictFlags {
  rankBy: string;
  strict?: boolean;
}

const RANK_BY = ['pr_auc', 'roc_auc', 'f1', 'recall', 'precision', 'specificity', 'gmean', 'balanced_accuracy', 'mcc', 'iba', 'precision_at_top20'];

function addVerdictOptions(cmd: Command): void {
  cmd
    .addOption(new Option('--rank-by <metric>', 'metric to rank by and to judge resampling on').choices(RANK_BY).default('pr_auc'))
    .option('--strict', 'exit 3 when any setup failed on a fold (default: warn and rank the rest)');
}

function parseThreshold(v: string): string {
  if (v === 'default' || v === 'best-f1') return v;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected default, best-f1 or a number in [0, 1], got '${v}'.`);
  return v;
}

export function evaluateCommand(ctx: CliContext): Command {
  const cmd = new Command('evaluate')
    .description('cross-validate samplers x models (only training folds resampled) and rank them')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .option('--samplers <list>', "comma-separated methods; 'none' = no resampling, 'class-weight' = no resampling with balanced class weights (logistic, mlp, gbdt, random-forest) (default: none,random-under,random-over and smote, smote-nc with categorical features, smoten when all are)", list)
    .option('--models <list>', `comma-separated models: ${modelNames.join(', ')}`, list, ['logistic'])
    .option('--folds <n>', 'stratified folds', intIn(2, 100), 5)
    .option('--repeats <n>', 'repetitions with different fold splits (3: intervals that can say something)', intIn(1, 100), 3);
  addPositiveOption(cmd);
  cmd
    .option('--threshold <t>', "decision threshold: default (0.5), best-f1 (chosen on each training fold), or a number", parseThreshold, 'default')
    .option('--strategy <s>', 'sampling strategy for every sampler (default: each method\'s own)');
  addStrategyAlias(cmd);
  addSamplerOptions(cmd);
  cmd
    .option('--report <file.md>', 'write a markdown report (plots go to plots/ beside it)')
    .option('--json <file>', 'write the machine-readable results (docs/evaluate-schema.json)')
    .option('--plots <dir>', 'write PR and ROC curves as SVG, one per model')
    .option('--fail-under <gates>', "CI gates such as 'pr_auc=0.6,recall=0.5' on the best row (exit 3 when missed)");
  addStdoutFormatOption(cmd, ctx);
  addModelOptions(cmd);
  cmd.option('-q, --quiet', 'no progress or notices on stderr');
  addVerdictOptions(cmd);
  addSeedOption(cmd);
  addInputOptions(cmd);
  addKnnOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(async (input: string, flags: EvaluateFlags) => {
    const [{ runEvaluate }, { createRng }, { openKnn }, report, { writeJsonAtomic, writeTextAtomic }] = await Promise.all([
      import('../../pipeline/evaluate-job.js'),
      import('../../core/rng.js'),
      import('../../neighbors/open.js'),
      import('../../evaluate/index.js'),
      import('../../io/json.js'),
    ]);
    const { getSampler } = await import('../../samplers/registry.js');
    const methods = [];
    for (const s of flags.samplers ?? []) {
      if (s === 'none' || s === 'class-weight') continue;
      try {
        methods.push(getSampler(s));
      } catch (e) {
        throw new UsageError('REBALANCE_UNKNOWN_METHOD', `--samplers: ${(e as Error).message}`);
      }
    }
    for (const m of flags.models) {
      if (!modelNames.includes(m)) {
        throw new UsageError('REBALANCE_UNKNOWN_MODEL', `unknown model '${m}' in --models; expected one of ${modelNames.join(', ')}`);
      }
    }
    const samplerOptions = samplerOptionsFrom(flags);
    checkClassesOption(samplerOptions, flags.strategy, methods);
    const strategy = flags.strategy === undefined ? undefined : parseStrategy(flags.strategy);
    const gates = flags.failUnder ? report.parseFailUnder(flags.failUnder) : [];
    await checkOutputTargets([
      { option: `--output ${flags.output}`, path: '-' },
      { option: '--json', path: flags.json },
      { option: '--report', path: flags.report },
    ]);
    const say = reporter(ctx, flags.quiet);
    const log = say.log;
    const line = say.line;
    const knn = await openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, signal: ctx.signal });
    try {
      const { result } = await runEvaluate({
        input,
        read: readOptions(flags, ctx.signal),
        scan: scanOptions(flags, ctx.signal, log),
        samplers: flags.samplers,
        models: flags.models,
        folds: flags.folds,
        repeats: flags.repeats,
        positive: flags.positive,
        threshold: flags.threshold === 'default' || flags.threshold === 'best-f1' ? flags.threshold : Number(flags.threshold),
        strategy,
        samplerOptions,
        modelOptions: modelOptionsFrom(flags),
        rankBy: flags.rankBy as import('../../evaluate/index.js').RankMetric,
        hintOptions: cmd.options.map((o) => o.long).filter((o): o is string => o !== undefined),
        rng: createRng(flags.seed),
        seed: flags.seed,
        knn,
        scale: flags.scale,
        onProgress: line ? (done, total, label) => line.update('evaluate', done, total, 'fits', `last ${label}`) : undefined,
        log,
        signal: ctx.signal,
      });
      if (flags.output === 'json') ctx.stdout.write(JSON.stringify(result, null, 2) + '\n');
      else if (flags.output === 'markdown') ctx.stdout.write(report.markdownReport(result, { plots: 'none' }));
      else {
        ctx.stdout.write(report.formatTable(result));
        ctx.stdout.write(report.verdictLines(result).join('\n') + '\n');
        ctx.stdout.write(`(${result.note}; ${flags.folds} folds x ${flags.repeats} repeat(s), seed ${flags.seed}, positive class '${result.dataset.positive}')\n`);
      }
      if (flags.json) await writeJsonAtomic(flags.json, result);
      if (flags.report) {
        const dir = dirname(flags.report);
        await mkdir(join(dir, 'plots'), { recursive: true }).catch((e: unknown) => {
          throw ioErrorFrom(e, join(dir, 'plots'), 'write');
        });
        for (const p of report.plotFiles(result)) await writeTextAtomic(join(dir, p.path), p.svg);
        await writeTextAtomic(flags.report, report.markdownReport(result, { plots: 'links' }));
      }
      if (flags.plots) {
        await mkdir(flags.plots, { recursive: true }).catch((e: unknown) => {
          throw ioErrorFrom(e, flags.plots as string, 'write');
        });
        for (const p of report.plotFiles(result)) await writeTextAtomic(join(flags.plots, basename(p.path)), p.svg);
      }
      if (result.failed.length) {
        const n = result.failed.length;
        const total = n + result.results.length;
        const first = report.formatFailure(result.failed[0], flags.folds, flags.repeats);
        if (result.results.length === 0) {
          throw new DataError('REBALANCE_NOTHING_COMPLETED', `no setup completed (${n} of ${total} failed); first: ${first}`);
        }
        if (flags.strict) {
          throw new DataError('REBALANCE_SETUP_FAILED', `${n} of ${total} setups failed and --strict is set; first: ${first}`);
        }
        ctx.stderr.write(`rebalance: warning: ${n} of ${total} setups failed and are not ranked (first: ${first}); --strict makes this exit 3\n`);
      }
      if (gates.length) {
        const failures = report.checkFailUnder(result, gates);
        if (failures.length) {
          throw new DataError('REBALANCE_GATE_FAILED', `quality gate failed: ${failures.join('; ')}`);
        }
        log(`quality gates passed: ${flags.failUnder}`);
      }
    } finally {
      say.end();
      await knn.dispose();
    }
  });
  return cmd;
}
