/**
 * The sampler option table: one row per SamplerOptions field (src/types.ts), the flag that sets
 * it on the command line. resample, train and evaluate add these flags with `addSamplerOptions`
 * and read them back with `samplerOptionsFrom`, so every sampler option one accepts, all accept.
 * A field added to SamplerOptions without a row here does not compile.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { SamplerDefinition, SamplerOptions } from '../types.js';
import { addOptionRows, readOptionRows, type OptionTable } from './option-table.js';
import { intIn, list, numberIn } from './parse.js';

/** random-over --shrinkage: one number, or 'class=number' items. */
export function parseShrinkage(text: string): NonNullable<SamplerOptions['shrinkage']> {
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

const text = (v: string): string => v;

/** Every sampler option as a command-line flag, in the order --help lists them. */
export const SAMPLER_OPTIONS = {
  classes: { flags: '--classes <names>', help: 'cleaning methods: comma-separated classes to clean', parse: list },
  kNeighbors: { flags: '-k, --k-neighbors <n>', help: 'SMOTE family: neighbours for interpolation (default 5)', parse: intIn(1, 1000) },
  mNeighbors: { flags: '--m-neighbors <n>', help: 'Borderline/SVM-SMOTE: neighbours deciding danger (default 10)', parse: intIn(1, 1000) },
  nNeighbors: { flags: '--n-neighbors <n>', help: 'cleaning methods: neighbours (ENN/RENN/AllKNN/NearMiss 3, CNN/OSS 1)', parse: intIn(1, 1000) },
  nNeighborsVer3: { flags: '--n-neighbors-ver3 <n>', help: 'NearMiss-3: neighbours of the first step (default 3)', parse: intIn(1, 1000) },
  kAuto: { flags: '--k-auto', help: 'clamp k to (class size - 1) instead of failing on small classes', switch: true },
  variant: { flags: '--variant <v>', help: 'borderline-smote: borderline-1|borderline-2; enn/renn/all-knn: all|mode (kind_sel)', parse: text },
  version: { flags: '--near-miss-version <v>', help: 'NearMiss version 1, 2 or 3 (default 1)', parse: intIn(1, 3) },
  maxIter: { flags: '--max-iter <n>', help: 'RENN: maximum iterations (default 100)', parse: intIn(1, 1_000_000) },
  allowMinority: { flags: '--allow-minority', help: 'AllKNN: allow the majority class to become the minority', switch: true },
  thresholdCleaning: { flags: '--threshold-cleaning <x>', help: 'NCR: threshold (default 0.5)', parse: numberIn(0, 1) },
  shrinkage: { flags: '--shrinkage <x>', help: "random-over: smoothed bootstrap factor, one number or 'cls=x,...'", parse: parseShrinkage },
  replacement: { flags: '--replacement', help: 'random-under: sample with replacement', switch: true },
  voting: { flags: '--voting <v>', help: 'cluster-centroids: soft (centroids) or hard (nearest real rows)', choices: ['auto', 'soft', 'hard'] },
  nClusters: { flags: '--clusters <n>', help: 'KMeans-SMOTE / cluster-centroids: number of k-means clusters', parse: intIn(1, 1_000_000) },
  clusterBalanceThreshold: { flags: '--cluster-balance-threshold <x>', help: 'KMeans-SMOTE: minimum minority share of a cluster', parse: numberIn(0, 1) },
  outStep: { flags: '--out-step <x>', help: 'SVM-SMOTE: extrapolation step (default 0.5)', parse: numberIn(0, Infinity) },
  first: { flags: '--first <method>', help: 'smote-tomek / smote-enn: the SMOTE variant run first (default smote)', parse: text },
} as const satisfies OptionTable<SamplerOptions>;

/** Adds every sampler option flag to `cmd`. */
export function addSamplerOptions(cmd: Command): Command {
  return addOptionRows(cmd, SAMPLER_OPTIONS);
}

/** The SamplerOptions the parsed flags of a command built with `addSamplerOptions` give. */
export function samplerOptionsFrom(flags: object): SamplerOptions {
  return readOptionRows<SamplerOptions>(SAMPLER_OPTIONS, flags);
}

/**
 * --classes chooses the classes a cleaning method cleans: refused with a method of another kind,
 * and together with --strategy (both choose the classes). `methods`: the methods the options go to.
 */
export function checkClassesOption(options: SamplerOptions, strategy: string | undefined, methods: readonly Pick<SamplerDefinition, 'name' | 'kind'>[]): void {
  if (!options.classes) return;
  const other = methods.find((def) => def.kind !== 'clean');
  if (other) {
    throw new UsageError('REBALANCE_BAD_OPTION', `--classes names the classes a cleaning method cleans; '${other.name}' is an ${other.kind}-sampler: use --strategy instead`);
  }
  if (strategy !== undefined) {
    throw new UsageError('REBALANCE_BAD_OPTION', '--classes and --strategy both choose the classes to resample; give one of them');
  }
}
