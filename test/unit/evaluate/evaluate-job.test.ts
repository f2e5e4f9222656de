import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { checkUnsupervisedPairs, defaultSamplers, evaluateHint } from '../../../src/pipeline/evaluate-job.js';

describe('evaluate job: defaults, refusals and hints', () => {
  it('picks the SMOTE that fits the feature kinds', () => {
    expect(defaultSamplers({ featureKinds: ['float', 'int', 'bool'] })).toEqual(['none', 'random-under', 'random-over', 'smote']);
    expect(defaultSamplers({ featureKinds: ['float', 'categorical'] })).toEqual(['none', 'random-under', 'random-over', 'smote-nc']);
    expect(defaultSamplers({ featureKinds: ['categorical', 'categorical'] })).toEqual(['none', 'random-under', 'random-over', 'smoten']);
    expect(defaultSamplers({ featureKinds: ['float'] }, ['isolation-forest'])).toEqual(['none']);
    expect(defaultSamplers({ featureKinds: ['float'] }, ['logistic', 'isolation-forest'])).toHaveLength(4);
  });

  it('refuses isolation-forest next to a sampler other than none', () => {
    expect(() => checkUnsupervisedPairs(['none', 'smote'], ['logistic', 'isolation-forest'])).toThrow(UsageError);
    expect(() => checkUnsupervisedPairs(['none', 'smote'], ['logistic', 'isolation-forest'])).toThrow(/--samplers none/);
    expect(() => checkUnsupervisedPairs(['none'], ['isolation-forest'])).not.toThrow();
    expect(() => checkUnsupervisedPairs(['none', 'smote'], ['logistic'])).not.toThrow();
  });

  it("says --samplers for -m, and names options the command lacks as resample's", () => {
    const known = ['--samplers', '--passthrough', '--k-neighbors'];
    expect(evaluateHint("column 'm' is categorical; use -m smote-nc (mixed) or -m smoten, or carry it through with --passthrough", known)).toBe(
      "column 'm' is categorical; use --samplers smote-nc (mixed) or --samplers smoten, or carry it through with --passthrough",
    );
    expect(evaluateHint('no cluster; lower --cluster-balance-threshold, change --clusters, or use -m smote', known)).toBe(
      "no cluster; lower --cluster-balance-threshold, change --clusters, or use --samplers smote (--cluster-balance-threshold, --clusters are options of 'rebalance resample', not of this command)",
    );
    expect(evaluateHint('raise --k-neighbors; see x-m y and a--b', known)).toBe('raise --k-neighbors; see x-m y and a--b');
    expect(evaluateHint('pass --variant borderline-1', known)).toBe("pass --variant borderline-1 (--variant is an option of 'rebalance resample', not of this command)");
  });
});
