/**
 * A tiny JSON Schema validator for the subset docs/evaluate-schema.json uses: type (a name or a
 * list; 'integer' included), required, properties, additionalProperties: false, items, enum.
 * Any other keyword (except annotations) is an error, so the schema cannot silently use more.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const KEYWORDS = new Set(['type', 'required', 'properties', 'additionalProperties', 'items', 'enum']);

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'object') return [typeof v];
  return ['unsupported:' + typeof v];
}

/** Returns one message per violation (JSON-pointer-like path first); empty when `value` conforms. */
export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) errors.push(`${path}: schema uses unsupported keyword '${key}'`);
  }
  if (schema.type !== undefined) {
    const allowed = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!typeOf(value).some((t) => allowed.includes(t))) {
      errors.push(`${path}: expected type ${allowed.join('|')}, got ${typeOf(value)[0]}`);
      return errors;
    }
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) {
      if (!(r in obj)) errors.push(`${path}: missing required property '${r}'`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errors.push(...validate(props[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property '${k}'`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => errors.push(...validate(schema.items as Schema, v, `${path}[${i}]`)));
  }
  return errors;
}
