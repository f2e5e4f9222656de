/**
 * `rebalance demo` (what `npm start` runs): the main job on the bundled example, end to end:
 * inspect the imbalance, rebalance it, and evaluate honestly whether rebalancing helped.
 */
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED } from '../../core/rng.js';
import type { CliContext } from '../common.js';

export function demoCommand(ctx: CliContext): Command {
  return new Command('demo')
    .description('run the main job on the bundled example (examples/transactions.csv): inspect, resample, evaluate')
    .option('--out <dir>', 'where to write the outputs', 'rebalance-demo')
    .option('--quick', 'fewer samplers and folds')
    .action(async (flags: { out: string; quick?: boolean }) => {
      const example = fileURLToPath(new URL('../../../examples/transactions.csv', import.meta.url));
      if (!existsSync(example)) throw new Error(`the bundled example is missing: ${example}`);
      const [{ inspectTable, formatInspect }, { runResample }, { runEvaluate }, { createRng }, { openKnn }, report, { SAMPLERS }, { writeTextAtomic }] =
        await Promise.all([
          import('../../pipeline/inspect.js'),
          import('../../pipeline/resample.js'),
          import('../../pipeline/evaluate-job.js'),
          import('../../core/rng.js'),
          import('../../neighbors/open.js'),
          import('../../evaluate/index.js'),
          import('../../samplers/registry.js'),
          import('../../io/json.js'),
        ]);
      const say = (s: string): boolean => ctx.stdout.write(s);
      const scan = { label: 'is_fraud', signal: ctx.signal };
      await mkdir(flags.out, { recursive: true });
      say(`== 1. inspect: how imbalanced is it?\n$ rebalance inspect examples/transactions.csv --label is_fraud\n\n`);
      say(formatInspect(await inspectTable(example, {}, scan)) + '\n');

      const have = new Set(SAMPLERS.map((s) => s.name));
      const method = have.has('smote-nc') ? 'smote-nc' : 'random-over';
      const balanced = join(flags.out, 'transactions-balanced.csv');
      say(`== 2. resample: ${method} (numeric + categorical features), seed ${DEFAULT_SEED}\n`);
      say(`$ rebalance resample examples/transactions.csv --label is_fraud -m ${method} --provenance -o ${balanced}\n\n`);
      const knn = await openKnn({ backend: 'cpu', signal: ctx.signal });
      try {
        const summary = await runResample({
          input: example,
          output: balanced,
          scan,
          method,
          rng: createRng(DEFAULT_SEED),
          seed: DEFAULT_SEED,
          provenance: true,
          knn: () => openKnn({ backend: 'cpu', signal: ctx.signal }),
          signal: ctx.signal,
          version: ctx.version,
        });
        for (const c of summary.classes) say(`  class ${c.name}: ${c.before} -> ${c.after}\n`);
        say(`  ${summary.syntheticRows} synthetic rows, each with _source_row/_neighbor_row provenance, in ${summary.seconds.toFixed(2)} s\n\n`);

        // The example has a categorical column: only methods defined for categorical features apply.
        // 'class-weight' (no resampling, balanced class weights) stands beside them: weights vs resampling vs nothing.
        const wanted = flags.quick ? ['none', 'class-weight', 'random-under', method] : ['none', 'class-weight', 'random-under', 'random-over', 'smote-nc'];
        const samplers = wanted.filter((s) => s === 'none' || s === 'class-weight' || have.has(s));
        const models = ['logistic', 'mlp', 'knn'];
        const folds = flags.quick ? 3 : 5;
        say(`== 3. evaluate: does rebalancing help on data that was never resampled?\n`);
        say(`$ rebalance evaluate examples/transactions.csv --label is_fraud --samplers ${samplers.join(',')} --models ${models.join(',')} --folds ${folds} --report ${join(flags.out, 'report.md')}\n\n`);
        const { result } = await runEvaluate({
          input: example,
          scan,
          samplers,
          models,
          folds,
          repeats: 1,
          threshold: 'default',
          samplerOptions: { kAuto: true },
          rng: createRng(DEFAULT_SEED),
          seed: DEFAULT_SEED,
          knn,
          log: (m) => ctx.stderr.write(`rebalance: ${m}\n`),
          signal: ctx.signal,
        });
        say(report.formatTable(result));
        say(report.verdictLines(result).join('\n') + '\n');
        say(`(${result.note})\n\n`);
        await mkdir(join(flags.out, 'plots'), { recursive: true });
        for (const p of report.plotFiles(result)) await writeTextAtomic(join(flags.out, p.path), p.svg);
        await writeTextAtomic(join(flags.out, 'report.md'), report.markdownReport(result, { plots: 'links' }));
        const best = result.results[0];
        const baseline = result.results.find((r) => r.sampler === 'none' && r.model === best.model);
        if (baseline && best.sampler === 'class-weight') {
          say(`Best: ${best.model} with balanced class weights, PR-AUC ${best.metrics.pr_auc.mean?.toFixed(3)} vs ${baseline.metrics.pr_auc.mean?.toFixed(3)} unweighted: weighting beat resampling here.\n`);
        } else if (baseline && best.sampler !== 'none') {
          say(`Best: ${best.sampler} + ${best.model}, PR-AUC ${best.metrics.pr_auc.mean?.toFixed(3)} vs ${baseline.metrics.pr_auc.mean?.toFixed(3)} without resampling.\n`);
        } else {
          say(`Best: ${best.sampler} + ${best.model}: on this data rebalancing did not beat training on the original rows (PR-AUC ${best.metrics.pr_auc.mean?.toFixed(3)}).\n`);
        }
        say(`Outputs: ${balanced}, ${join(flags.out, 'report.md')} (with PR/ROC plots in ${join(flags.out, 'plots')})\n`);
      } finally {
        await knn.dispose();
      }
    });
}
