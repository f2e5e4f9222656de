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

export function getSampler(name: string): SamplerDefinition {
  const found = SAMPLERS.find((s) => s.name === name.toLowerCase());
  if (!found) {
    throw new UsageError('REBALANCE_UNKNOWN_METHOD', `unknown method '${name}'; choose one of: ${samplerNames().join(', ')}`);
  }
  return found;
}

/** The feature-kind check of the fit-resample template (re-exported for existing callers). */
export { checkFeatureKinds } from './template.js';
