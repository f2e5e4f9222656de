/**
 * The model option table: the ModelOptions fields (src/models/registry.ts) a user sets on the
 * command line, one row each. train and evaluate add these flags with `addModelOptions` and read
 * them back with `modelOptionsFrom`. Not every ModelOptions field is a flag (the kNN engine, the
 * log, tuning knobs left at their defaults), so the table is partial; each row's parser is typed
 * by its field. The model names come from the registry, so a model registered there is offered
 * by both commands.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { MLP_ENGINES } from '../models/mlp.js';
import type { ModelOptions } from '../models/registry.js';
import { addOptionRows, readOptionRows, type PartialOptionTable } from './option-table.js';
import { intIn, list } from './parse.js';

/** mlp --hidden: comma-separated layer sizes. */
export function hiddenSizes(v: string): number[] {
  return list(v).map((s) => intIn(1, 100000)(s));
}

/** A share in (0, 1). */
function fraction(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number in (0, 1), got '${v}'.`);
  return n;
}

/** auto | on | off -> 'auto' | true | false. */
function autoOnOff(v: string): 'auto' | boolean {
  if (v === 'auto') return 'auto';
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new InvalidArgumentError(`expected auto, on or off, got '${v}'.`);
}

/** Every model option as a command-line flag, in the order --help lists them. */
export const MODEL_OPTIONS = {
  hidden: { flags: '--hidden <sizes>', help: 'mlp hidden layer sizes (default 64,32)', parse: hiddenSizes },
  activation: { flags: '--activation <a>', help: 'mlp activation', choices: ['prelu', 'relu'] },
  classWeight: { flags: '--class-weight <w>', help: 'logistic/mlp class weights', choices: ['balanced', 'none'] },
  epochs: { flags: '--epochs <n>', help: 'mlp maximum epochs (default 200; --max-epochs is the same)', parse: intIn(1, 100000) },
  earlyStopping: {
    flags: '--early-stopping <auto|on|off>',
    help: "mlp: on (default, also auto): stop on a stratified validation split's loss and keep the best epoch; off: train on every row, stop when the training loss stalls, keep the last epoch (scikit-learn's early_stopping=False). gbdt: auto (default: on above 10,000 rows, scikit-learn's rule), on, off",
    parse: autoOnOff,
  },
  validationFraction: { flags: '--validation-fraction <f>', help: 'mlp: share of the training rows held out for early stopping (default 0.1)', parse: fraction },
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
  addOptionRows(cmd, MODEL_OPTIONS);
  return cmd.option('--max-epochs <n>', 'mlp: maximum epochs (scikit-learn max_iter; same as --epochs)', intIn(1, 100000));
}

/** The ModelOptions the parsed flags of a command built with `addModelOptions` give. */
export function modelOptionsFrom(flags: object): ModelOptions {
  const options = readOptionRows<ModelOptions>(MODEL_OPTIONS, flags);
  const maxEpochs = (flags as { maxEpochs?: number }).maxEpochs;
  if (maxEpochs !== undefined && options.epochs !== undefined && maxEpochs !== options.epochs) {
    throw new UsageError('REBALANCE_BAD_OPTION', `--max-epochs ${maxEpochs} and --epochs ${options.epochs} disagree; pass one of them`);
  }
  if (options.earlyStopping === false && options.validationFraction !== undefined) {
    throw new UsageError('REBALANCE_BAD_OPTION', `--validation-fraction ${options.validationFraction} needs --early-stopping on: without early stopping nothing is held out; drop one of them`);
  }
  return maxEpochs === undefined ? options : { ...options, epochs: maxEpochs };
}

/** --positive: the class train and evaluate score as positive. */
export function addPositiveOption(cmd: Command): Command {
  return cmd.option('--positive <class>', 'the rare class scored as positive (default: the smallest class)');
}
