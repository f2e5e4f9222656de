/**
 * `rebalance inspect <input>`: what is in the table and how imbalanced it is.
 */
import { Command } from 'commander';
import { addInputOptions, readOptions, reporter, scanOptions, type CliContext, type InputFlags } from '../common.js';

export function inspectCommand(ctx: CliContext): Command {
  const cmd = new Command('inspect')
    .description('show the schema, inferred types, missing values, class counts, imbalance ratio and per-class feature statistics')
    .argument('[input]', "CSV or Arrow file; '-' or nothing for stdin", '-')
    .option('--json', 'print JSON instead of a table');
  addInputOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ rebalance inspect examples/pima.csv
  $ rebalance inspect data.arrow --label is_fraud --json | jq .imbalanceRatio
  $ cat data.csv | rebalance inspect -`,
  );
  cmd.action(async (input: string, flags: InputFlags & { json?: boolean }) => {
    const { inspectTable, formatInspect } = await import('../../pipeline/inspect.js');
    // The report goes to stdout only at the end, after the progress line is gone.
    const report = reporter(ctx, false);
    const result = await inspectTable(input, readOptions(flags, ctx.signal), scanOptions(flags, ctx.signal, report.log), report.jobProgress).finally(report.end);
    ctx.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatInspect(result));
  });
  return cmd;
}
