/**
 * `rebalance train`: resample a table, fit a model on it, save the model (see predict.ts).
 */
import { Command, Option } from 'commander';
import { modelNames } from '../../models/registry.js';
import { checkOutputTargets } from '../output-targets.js';
import { addInputOptions, addKnnOptions, addSeedOption, addStrategyOption, readOptions, reporter, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { addModelOptions, addPositiveOption, modelOptionsFrom } from '../model-options.js';
import { numberIn } from '../parse.js';
import { addSamplerOptions, checkClassesOption, samplerOptionsFrom } from '../sampler-options.js';
import { parseStrategy } from '../strategy-text.js';

interface TrainFlags extends InputFlags, KnnFlags {
  method: string;
  model: string;
  output: string;
  strategy?: string;
  positive?: string;
  threshold?: number;
  seed: number;
  quiet?: boolean;
}

export function trainCommand(ctx: CliContext): Command {
  const cmd = new Command('train')
    .description('resample a table, fit a model on it and save the model as JSON')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .requiredOption('-m, --method <name>', "resampling method ('none' to train on the data as it is)")
    .addOption(new Option('--model <name>', 'model').choices(modelNames).default('logistic'))
    .requiredOption('-o, --output <model.json>', 'where to save the model (written atomically)');
  addStrategyOption(cmd);
  addSamplerOptions(cmd);
  addPositiveOption(cmd);
  cmd.option('--threshold <x>', 'decision threshold saved with the model (default 0.5)', numberIn(0, 1));
  addModelOptions(cmd);
  cmd.option('-q, --quiet', 'no summary or progress line on stderr');
  addSeedOption(cmd);
  addInputOptions(cmd);
  addKnnOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ rebalance train examples/transactions.csv --label is_fraud -m smote-nc --model logistic -o fraud-model.json
  $ rebalance predict fraud-model.json new-transactions.csv -o scored.csv`,
  );
  cmd.action(async (input: string, flags: TrainFlags) => {
    const [{ runTrain }, { createRng }, { openKnn }] = await Promise.all([
      import('../../pipeline/model-file.js'),
      import('../../core/rng.js'),
      import('../../neighbors/open.js'),
    ]);
    await checkOutputTargets([{ option: '-o', path: flags.output }]);
    const samplerOptions = samplerOptionsFrom(flags);
    if (flags.method !== 'none') checkClassesOption(samplerOptions, flags.strategy, [(await import('../../samplers/registry.js')).getSampler(flags.method)]);
    const strategy = flags.strategy === undefined ? undefined : parseStrategy(flags.strategy);
    const report = reporter(ctx, flags.quiet);
    const log = report.log;
    const knn = await openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, onProgress: report.knnProgress, signal: ctx.signal });
    try {
      const info = await runTrain({
        input,
        output: flags.output,
        read: readOptions(flags, ctx.signal),
        scan: scanOptions(flags, ctx.signal, log),
        method: flags.method,
        model: flags.model,
        strategy,
        samplerOptions,
        modelOptions: modelOptionsFrom(flags),
        positive: flags.positive,
        threshold: flags.threshold,
        rng: createRng(flags.seed),
        seed: flags.seed,
        knn,
        log,
        version: ctx.version,
      });
      log(`trained ${flags.model} on ${info.rowsResampled} rows (${info.rows} before ${info.sampler}), positive class '${info.positive}', saved to ${flags.output}`);
    } finally {
      report.end();
      await knn.dispose();
    }
  });
  return cmd;
}
