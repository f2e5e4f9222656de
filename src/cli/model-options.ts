/**
 * The model option table: the ModelOptions fields (src/models/registry.ts) a user sets on the
 * command line, one row each. train and evaluate add these flags with `addModelOptions` and read
 * them back with `modelOptionsFrom`. Not every ModelOptions field is a flag (the kNN engine, the
 * log, tuning knobs left at their defaults), so the table is partial; each row's parser is typed
 * by its field. The model names come from the registry, so a model registered there is offered
 * by both commands.
 */
import type { Command } from 'commander';
import { MLP_ENGINES } from '../models/mlp.js';
import type { ModelOptions } from '../models/registry.js';
import { addOptionRows, readOptionRows, type PartialOptionTable } from './option-table.js';
import { intIn, list } from './parse.js';

/** mlp --hidden: comma-separated layer sizes. */
export function hiddenSizes(v: string): number[] {
  return list(v).map((s) => intIn(1, 100000)(s));
}

/** Every model option as a command-line flag, in the order --help lists them. */
export const MODEL_OPTIONS = {
  hidden: { flags: '--hidden <sizes>', help: 'mlp hidden layer sizes (default 64,32)', parse: hiddenSizes },
  activation: { flags: '--activation <a>', help: 'mlp activation', choices: ['prelu', 'relu'] },
  classWeight: { flags: '--class-weight <w>', help: 'logistic/mlp class weights', choices: ['balanced', 'none'] },
  epochs: { flags: '--epochs <n>', help: 'mlp maximum epochs (default 200)', parse: intIn(1, 100000) },
  tfBackend: {
    flags: '--tf-backend <name>',
    help: "mlp training engine: simd (rebalance's WebAssembly SIMD kernels, in worker threads) or a tfjs backend",
    choices: MLP_ENGINES,
    default: 'simd',
  },
  k: { flags: '--model-k <n>', help: 'knn model: neighbours (default 5)', parse: intIn(1, 1000) },
} as const satisfies PartialOptionTable<ModelOptions>;

/** Adds every model option flag to `cmd`. */
export function addModelOptions(cmd: Command): Command {
  return addOptionRows(cmd, MODEL_OPTIONS);
}

/** The ModelOptions the parsed flags of a command built with `addModelOptions` give. */
export function modelOptionsFrom(flags: object): ModelOptions {
  return readOptionRows<ModelOptions>(MODEL_OPTIONS, flags);
}

/** --positive: the class train and evaluate score as positive. */
export function addPositiveOption(cmd: Command): Command {
  return cmd.option('--positive <class>', 'the rare class scored as positive (default: the smallest class)');
}
