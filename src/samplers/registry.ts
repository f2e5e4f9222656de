/**
 * Every resampling method by name. The only place that knows them all; the CLI, the library
 * `resample` and the contract tests iterate it.
 */
import { UsageError } from '../core/errors.js';
import type { SamplerDefinition } from '../types.js';
import { allKnnDefinition } from './all-knn.js';
import { ennDefinition } from './enn.js';
import { nearMissDefinition } from './near-miss.js';
import { neighbourhoodCleaningRuleDefinition } from './neighbourhood-cleaning-rule.js';
import { randomOverDefinition } from './random-over.js';
import { randomUnderDefinition } from './random-under.js';
import { rennDefinition } from './renn.js';
import { tomekLinksDefinition } from './tomek-links.js';
import { condensedNnDefinition } from './condensed-nn.js';
import { oneSidedSelectionDefinition } from './one-sided-selection.js';
import { instanceHardnessThresholdDefinition } from './instance-hardness-threshold.js';
import { clusterCentroidsDefinition } from './cluster-centroids.js';
import { smoteEnnDefinition, smoteTomekDefinition } from './combine.js';
import { smoteDefinition } from './smote.js';
import { smoteNcDefinition } from './smote-nc.js';
import { smotenDefinition } from './smoten.js';
import { borderlineSmoteDefinition } from './borderline-smote.js';
import { adasynDefinition } from './adasyn.js';
import { svmSmoteDefinition } from './svm-smote.js';
import { kmeansSmoteDefinition } from './kmeans-smote.js';

export const SAMPLERS: readonly SamplerDefinition[] = [
  randomUnderDefinition,
  randomOverDefinition,
  smoteDefinition,
  smoteNcDefinition,
  smotenDefinition,
  borderlineSmoteDefinition,
  adasynDefinition,
  svmSmoteDefinition,
  kmeansSmoteDefinition,
  tomekLinksDefinition,
  ennDefinition,
  rennDefinition,
  allKnnDefinition,
  nearMissDefinition,
  neighbourhoodCleaningRuleDefinition,
  condensedNnDefinition,
  oneSidedSelectionDefinition,
  instanceHardnessThresholdDefinition,
  clusterCentroidsDefinition,
  smoteTomekDefinition,
  smoteEnnDefinition,
];

export const samplerNames = (): string[] => SAMPLERS.map((s) => s.name);

/**
 * imbalanced-learn's class names (and spellings without the dashes) for the registered methods:
 * `-m SMOTENC`, `-m RandomUnderSampler`, `-m smotenc` all name a method. Matched case-insensitively.
 */
export const METHOD_ALIASES: Readonly<Record<string, string>> = {
  randomundersampler: 'random-under',
  randomoversampler: 'random-over',
  smotenc: 'smote-nc',
  borderlinesmote: 'borderline-smote',
  svmsmote: 'svm-smote',
  kmeanssmote: 'kmeans-smote',
  tomeklinks: 'tomek-links',
  editednearestneighbours: 'enn',
  repeatededitednearestneighbours: 'renn',
  allknn: 'all-knn',
  nearmiss: 'near-miss',
  neighbourhoodcleaningrule: 'neighbourhood-cleaning-rule',
  condensednearestneighbour: 'condensed-nn',
  onesidedselection: 'one-sided-selection',
  instancehardnessthreshold: 'instance-hardness-threshold',
  clustercentroids: 'cluster-centroids',
  smotetomek: 'smote-tomek',
  smoteenn: 'smote-enn',
};

/** The registered name a method name or alias stands for (undefined when none). */
export function canonicalMethodName(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  if (SAMPLERS.some((s) => s.name === lower)) return lower;
  const alias = METHOD_ALIASES[lower] ?? METHOD_ALIASES[lower.replace(/[-_\s]/g, '')];
  if (alias !== undefined) return alias;
  const squashed = lower.replace(/[-_\s]/g, '');
  return SAMPLERS.find((s) => s.name.replace(/-/g, '') === squashed)?.name;
}

export function getSampler(name: string): SamplerDefinition {
  const canonical = canonicalMethodName(name);
  const found = canonical === undefined ? undefined : SAMPLERS.find((s) => s.name === canonical);
  if (!found) {
    throw new UsageError('REBALANCE_UNKNOWN_METHOD', `unknown method '${name}'; choose one of: ${samplerNames().join(', ')} (imbalanced-learn class names such as RandomUnderSampler also work)`);
  }
  return found;
}

/** The feature-kind check of the fit-resample template (re-exported for existing callers). */
export { checkFeatureKinds } from './template.js';
