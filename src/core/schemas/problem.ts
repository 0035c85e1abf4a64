import { Kind, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';

/**
 * Checks a parsed document against its schema and says, in words, what the first problem is and
 * where: `actions[2].reason must be a string`, `actions[0]: unknown field "force"`, `decisions.ab12.decision
 * must be one of: include, exclude, namesake, keep`. Undefined when the document fits the schema.
 */
export function schemaProblem(schema: TSchema, value: unknown): string | undefined {
  const check = compiled(schema);
  if (check.Check(value)) return undefined;
  const first = check.Errors(value).First();
  return first ? describe(first, value) : 'does not fit its schema';
}

const checks = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Compiled once per schema: a large scan file is checked by generated code, not by walking the schema. */
function compiled(schema: TSchema): TypeCheck<TSchema> {
  let check = checks.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    checks.set(schema, check);
  }
  return check;
}

function describe(error: ValueError, root: unknown): string {
  const segments = error.path.split('/').slice(1).map(unescapePointer);
  const field = fieldName(segments);
  const s = error.schema;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const name = segments[segments.length - 1];
      if (segments.length === 1) return `unknown field "${name}"`;
      return `${fieldName(segments.slice(0, -1))}: unknown field "${name}"`;
    }
    case ValueErrorType.ObjectRequiredProperty:
      return `${field} is missing`;
    case ValueErrorType.Union:
      return unionProblem(s, segments, root) ?? `${field} must be ${expected(s)}`;
    case ValueErrorType.ArrayMinItems:
      return `${field} must have at least ${s.minItems} ${s.minItems === 1 ? 'entry' : 'entries'}`;
    case ValueErrorType.StringMinLength:
      return `${field} must not be empty`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `${field} must be at least ${s.minimum}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `${field} must be at most ${s.maximum}`;
    case ValueErrorType.StringPattern:
      return `${field} must match ${s.pattern}`;
    default:
      return `${field} must be ${expected(s)}`;
  }
}

/**
 * A union of objects told apart by one constant field (the plan's actions by `kind`): the problem is
 * found inside the variant the value names, or the naming field is wrong.
 */
function unionProblem(schema: TSchema, segments: string[], root: unknown): string | undefined {
  const variants = (schema.anyOf ?? []) as TSchema[];
  if (!variants.length || !variants.every((v) => v[Kind] === 'Object')) return undefined;
  const tag = Object.keys(variants[0].properties ?? {}).find((key) =>
    variants.every((v) => v.properties?.[key]?.const !== undefined),
  );
  if (!tag) return undefined;
  const value = segments.reduce<unknown>((v, seg) => (v as Record<string, unknown> | undefined)?.[seg], root);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${fieldName(segments)} must be an object`;
  const named = (value as Record<string, unknown>)[tag];
  const variant = variants.find((v) => v.properties[tag].const === named);
  if (!variant) {
    const allowed = variants.map((v) => v.properties[tag].const).join(', ');
    return `${fieldName([...segments, tag])} must be one of: ${allowed}`;
  }
  const inner = compiled(variant).Errors(value).First();
  if (!inner) return undefined;
  const prefix = segments.map((seg) => `/${seg.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
  return describe({ ...inner, path: prefix + inner.path }, root);
}

/** What a schema expects, in words. */
function expected(s: TSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) {
    const options = (s.anyOf as TSchema[]).map(expected);
    return options.every((o) => o.startsWith('"'))
      ? `one of: ${options.map((o) => JSON.parse(o)).join(', ')}`
      : options.join(' or ');
  }
  switch (s.type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    default:
      return 'of another type';
  }
}

/** `["actions", "2", "reason"]` -> `actions[2].reason`; the document itself when empty. */
function fieldName(segments: string[]): string {
  let name = '';
  for (const seg of segments) name += /^\d+$/.test(seg) ? `[${seg}]` : name ? `.${seg}` : seg;
  return name || 'the document';
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
