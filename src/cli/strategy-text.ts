/**
 * `--strategy` text -> SamplingStrategy: the CLI's reading of a sampling strategy written on a
 * command line. Which classes and counts the strategy then means for the data is decided by
 * samplers/strategy.ts (`resolveStrategy`), which knows nothing of text.
 */
import { UsageError } from '../core/errors.js';
import type { NamedStrategy } from '../samplers/strategy.js';
import type { SamplingStrategy } from '../types.js';

const NAME_ALIASES = new Map<string, NamedStrategy>([
  ['auto', 'auto'],
  ['minority', 'minority'],
  ['majority', 'majority'],
  ['not minority', 'not minority'],
  ['not majority', 'not majority'],
  ['all', 'all'],
]);

function badText(text: string, why: string): UsageError {
  return new UsageError(
    'REBALANCE_BAD_STRATEGY',
    `cannot read strategy '${text}': ${why}; expected auto, minority, majority, 'not minority', 'not majority', all, a ratio in (0, 1] such as 0.5, or per-class counts such as 'fraud=5000,ok=20000'`,
  );
}

/** Splits `text` on `sep` outside double quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      if (inQuotes && text[i + 1] === '"') {
        cur += '""';
        i++;
        continue;
      }
      inQuotes = !inQuotes;
      cur += ch;
    } else if (ch === sep && !inQuotes) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (inQuotes) throw new Error('unterminated quote');
  parts.push(cur);
  return parts;
}

/** A class name: trimmed, or a double-quoted string (kept verbatim, `""` = `"`). */
function readName(raw: string): string {
  const t = raw.trim();
  if (t.startsWith('"')) {
    if (t.length < 2 || !t.endsWith('"')) throw new Error(`class name ${t} has text after its closing quote`);
    const inner = t.slice(1, -1);
    if (inner.replace(/""/g, '').includes('"')) throw new Error(`class name ${t} has a lone quote inside; write a quote as ""`);
    return inner.replace(/""/g, '"');
  }
  if (t.includes('"')) throw new Error(`class name ${t} has a quote inside; quote the whole name`);
  return t;
}

/**
 * Parses a `--strategy` argument.
 *
 * - A name: `auto`, `minority`, `majority`, `not minority`, `not majority`, `all` (case-insensitive;
 *   `-` or `_` may stand for the space: `not-minority`).
 * - A ratio: a decimal number in (0, 1], e.g. `0.5`, `.25`, `1`, `5e-1` (binary data only).
 * - Per-class final counts: `name=count` entries separated by commas, e.g. `fraud=5000,ok=20000`.
 *   Names are trimmed and may contain inner spaces (`not fraud=10`). A name containing `,`, `=`
 *   or `"`, or with significant leading/trailing spaces, is written in double quotes with `""`
 *   for a quote: `"a,b"=10,"say ""hi"""=20`. Counts are non-negative integers (digits only).
 *   Each class at most once.
 *
 * - JSON per-class counts, as imbalanced-learn's dict: `{"fraud": 5000, "ok": 20000}`.
 *
 * Malformed text is a UsageError `REBALANCE_BAD_STRATEGY`. Whether the strategy fits the data
 * (known classes, direction, binary) is checked later by `resolveStrategy`.
 */
export function parseStrategy(text: string): SamplingStrategy {
  const t = text.trim();
  if (t === '') throw badText(text, 'it is empty');
  const named = NAME_ALIASES.get(t.toLowerCase().replace(/[-_\s]+/g, ' '));
  if (named) return named;
  if (t.startsWith('{')) return parseJsonCounts(text, t);
  if (!t.includes('=')) {
    if (/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
      const alpha = Number(t);
      if (!(alpha > 0 && alpha <= 1)) throw badText(text, `the ratio ${t} is outside (0, 1]`);
      return alpha;
    }
    throw badText(text, 'it is neither a strategy name, a ratio, nor name=count entries');
  }
  let entries: string[];
  try {
    entries = splitOutsideQuotes(t, ',');
  } catch {
    throw badText(text, 'a double quote is not closed');
  }
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.trim() === '') throw badText(text, 'it has an empty entry (two commas in a row or a trailing comma)');
    const pair = splitOutsideQuotes(entry, '=');
    if (pair.length !== 2) throw badText(text, `entry '${entry.trim()}' is not name=count`);
    let name: string;
    try {
      name = readName(pair[0]);
    } catch (e) {
      throw badText(text, (e as Error).message);
    }
    if (name === '') throw badText(text, `entry '${entry.trim()}' has an empty class name`);
    const countText = pair[1].trim();
    if (!/^\d+$/.test(countText)) throw badText(text, `the count '${countText}' for class '${name}' is not a non-negative integer`);
    const n = Number(countText);
    if (!Number.isSafeInteger(n)) throw badText(text, `the count ${countText} for class '${name}' is too large`);
    if (seen.has(name)) throw badText(text, `class '${name}' is given twice`);
    seen.add(name);
    out[name] = n;
  }
  // A plain object (not null-prototype) so callers can spread/inspect it normally.
  return { ...out };
}

/** `{"class": count, ...}`: imbalanced-learn's dict sampling_strategy written as JSON. */
function parseJsonCounts(text: string, t: string): SamplingStrategy {
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (e) {
    throw badText(text, `it starts with '{' but is not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badText(text, 'JSON must be an object of class: count');
  const out: Record<string, number> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw badText(text, 'the JSON object is empty');
  for (const [name, n] of entries) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw badText(text, `the count for class '${name}' is not a non-negative integer`);
    out[name] = n;
  }
  return out;
}
