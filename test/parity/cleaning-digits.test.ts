/**
 * Parity of the deterministic cleaning under-samplers with imbalanced-learn 0.10 on
 * optical_digits (1797 x 64 integer pixels: many exact distance ties), in its own file because
 * the O(n^2) reference kNN makes it the slowest dataset.
 */
import { cleaningParitySuites } from './cleaning-suite.js';

cleaningParitySuites(['optical_digits']);
