/**
 * Parity of the deterministic cleaning under-samplers (Tomek, ENN both kinds, RENN, AllKNN,
 * NearMiss 1-3, NCR) with imbalanced-learn 0.10 on every binary and multi-class dataset but
 * optical_digits (cleaning-digits.test.ts): identical sets of removed rows.
 */
import { BINARY, MULTICLASS } from '../helpers/datasets.js';
import { cleaningParitySuites } from './cleaning-suite.js';

cleaningParitySuites([...BINARY, ...MULTICLASS].filter((n) => n !== 'optical_digits'));
