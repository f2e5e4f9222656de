/**
 * `rebalance predict`: stream rows through a model saved by `rebalance train`.
 */
import { Command, Option } from 'commander';
import type { CliContext } from '../common.js';
import { intIn, numberIn } from '../parse.js';

interface PredictFlags {
  output?: string;
  format?: string;
  threshold?: number;
  header: boolean;
  delimiter?: string;
  batchSize: number;
  knnBackend: 'auto' | 'cpu' | 'webgpu';
  threads?: number;
  safeCsv?: boolean;
}

export function predictCommand(ctx: CliContext): Command {
  const cmd = new Command('predict')
    .description('score rows with a saved model; appends score and prediction columns (score_1, prediction_1 when the input has those names; streams)')
    .argument('<model>', 'model file written by `rebalance train`')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .option('-o, --output <path>', "output file; '-' or nothing for stdout")
    .option('--format <format>', 'output format: csv, tsv, arrow, arrows')
    .option('--threshold <x>', 'decision threshold (default: the one saved with the model)', numberIn(0, 1))
    .option('--no-header', 'the CSV has no header row')
    .option('--delimiter <char>', 'CSV field delimiter (default: auto-detect)')
    .option('--batch-size <rows>', 'rows scored at a time', intIn(1, 10_000_000), 16384)
    .addOption(new Option('--knn-backend <name>', 'neighbour backend for knn models').choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .option('--threads <n>', 'worker threads for kNN: the cpu search, the webgpu re-rank', intIn(1, 1024))
    .option('--safe-csv', "prefix text cells and header cells starting with = + - @ tab CR with ' (spreadsheet formula injection); the predicted class names too");
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
        safeCsv: flags.safeCsv,
        knn,
        signal: ctx.signal,
      });
    } finally {
      await knn.dispose();
    }
  });
  return cmd;
}

