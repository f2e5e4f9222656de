/**
 * `rebalance train` (resample, fit, save) and `rebalance predict` (stream rows through a model).
 */
import { Command, Option } from 'commander';
import { addInputOptions, addKnnOptions, addSeedOption, readOptions, reporter, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { intIn, list, numberIn } from '../parse.js';

interface TrainFlags extends InputFlags, KnnFlags {
  method: string;
  model: string;
  output: string;
  strategy?: string;
  kNeighbors?: number;
  kAuto?: boolean;
  positive?: string;
  threshold?: number;
  hidden?: string[];
  activation?: 'prelu' | 'relu';
  classWeight?: 'balanced' | 'none';
  epochs?: number;
  tfBackend?: 'simd' | 'wasm' | 'cpu' | 'webgpu' | 'tensorflow';
  modelK?: number;
  seed: number;
  quiet?: boolean;
}

export function trainCommand(ctx: CliContext): Command {
  const cmd = new Command('train')
    .description('resample a table, fit a model on it and save the model as JSON')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .requiredOption('-m, --method <name>', "resampling method ('none' to train on the data as it is)")
    .addOption(new Option('--model <name>', 'model').choices(['logistic', 'mlp', 'knn', 'isolation-forest']).default('logistic'))
    .requiredOption('-o, --output <model.json>', 'where to save the model (written atomically)')
    .option('--strategy <s>', 'sampling strategy (default: auto)')
    .option('-k, --k-neighbors <n>', 'SMOTE family neighbours (default 5)', intIn(1, 1000))
    .option('--k-auto', 'clamp k on small classes instead of failing')
    .option('--positive <class>', 'the rare class scored as positive (default: the smallest class)')
    .option('--threshold <x>', 'decision threshold saved with the model (default 0.5)', numberIn(0, 1))
    .option('--hidden <sizes>', 'mlp hidden layer sizes (default 64,32)', list)
    .addOption(new Option('--activation <a>', 'mlp activation').choices(['prelu', 'relu']))
    .addOption(new Option('--class-weight <w>', 'logistic/mlp class weights').choices(['balanced', 'none']))
    .option('--epochs <n>', 'mlp maximum epochs (default 200)', intIn(1, 100000))
    .addOption(new Option('--tf-backend <name>', "mlp training engine: simd (rebalance's WebAssembly SIMD kernels, in worker threads) or a tfjs backend").choices(['simd', 'wasm', 'cpu', 'webgpu', 'tensorflow']).default('simd'))
    .option('--model-k <n>', 'knn model: neighbours (default 5)', intIn(1, 1000))
    .option('-q, --quiet', 'no summary or progress line on stderr');
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
    const [{ runTrain }, { createRng }, { parseStrategy }, { openKnn }] = await Promise.all([
      import('../../pipeline/model-file.js'),
      import('../../core/rng.js'),
      import('../../samplers/strategy.js'),
      import('../../neighbors/open.js'),
    ]);
    if (flags.method !== 'none') (await import('../../samplers/registry.js')).getSampler(flags.method);
    const report = reporter(ctx, flags.quiet);
    const log = report.log;
    const knn = await openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, onProgress: report.knnProgress, signal: ctx.signal });
    try {
      const info = await runTrain({
        input,
        output: flags.output,
        read: readOptions(flags, ctx.signal),
        scan: scanOptions(flags, ctx.signal),
        method: flags.method,
        model: flags.model,
        strategy: flags.strategy === undefined ? undefined : parseStrategy(flags.strategy),
        samplerOptions: { kNeighbors: flags.kNeighbors, kAuto: flags.kAuto },
        modelOptions: {
          hidden: flags.hidden?.map((h) => intIn(1, 100000)(h)),
          activation: flags.activation,
          classWeight: flags.classWeight,
          epochs: flags.epochs,
          tfBackend: flags.tfBackend,
          k: flags.modelK,
        },
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

interface PredictFlags {
  output?: string;
  format?: string;
  threshold?: number;
  header: boolean;
  delimiter?: string;
  batchSize: number;
  knnBackend: 'auto' | 'cpu' | 'webgpu';
  threads?: number;
}

export function predictCommand(ctx: CliContext): Command {
  const cmd = new Command('predict')
    .description('score rows with a saved model; appends score and prediction columns (streams)')
    .argument('<model>', 'model file written by `rebalance train`')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .option('-o, --output <path>', "output file; '-' or nothing for stdout")
    .option('--format <format>', 'output format: csv, tsv, arrow, arrows')
    .option('--threshold <x>', 'decision threshold (default: the one saved with the model)', numberIn(0, 1))
    .option('--no-header', 'the CSV has no header row')
    .option('--delimiter <char>', 'CSV field delimiter (default: auto-detect)')
    .option('--batch-size <rows>', 'rows scored at a time', intIn(1, 10_000_000), 16384)
    .addOption(new Option('--knn-backend <name>', 'neighbour backend for knn models').choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .option('--threads <n>', 'worker threads for kNN: the cpu search, the webgpu re-rank', intIn(1, 1024));
  cmd.action(async (model: string, input: string, flags: PredictFlags) => {
    const [{ runPredict }, { openKnn }] = await Promise.all([import('../../pipeline/model-file.js'), import('../../neighbors/open.js')]);
    const knn = await openKnn({ backend: flags.knnBackend, threads: flags.threads, signal: ctx.signal });
    try {
      await runPredict({
        model,
        input,
        output: flags.output,
        format: flags.format,
        read: { header: flags.header, delimiter: flags.delimiter, batchSize: flags.batchSize, signal: ctx.signal },
        threshold: flags.threshold,
        knn,
        signal: ctx.signal,
      });
    } finally {
      await knn.dispose();
    }
  });
  return cmd;
}

