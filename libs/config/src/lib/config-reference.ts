import 'reflect-metadata';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** One environment variable of a configuration class, as the reference documents it. */
export interface ConfigVariable {
  name: string;
  type: string;
  /** The default (as an environment value), or undefined when the variable has none. */
  default: string | undefined;
  required: boolean;
  constraints: string[];
  description: string;
}

export interface ServiceConfig {
  service: string;
  /** The validated configuration class of the service (class-validator decorators, defaults as initializers). */
  schema: new () => object;
  /** The TypeScript sources of the class and its bases, for the doc comment of each variable. */
  sources?: readonly string[];
}

/**
 * The doc comment of each property in a configuration class source (`/** text *\/` followed by
 * one-line decorators and `NAME: type`); the first source that documents a property wins.
 */
export function docComments(sources: readonly string[]): Map<string, string> {
  const comments = new Map<string, string>();
  const property = /\/\*\*([^*]*(?:\*(?!\/)[^*]*)*)\*\/\s*(?:@[^\n]*\n\s*)*(?:override\s+)?([A-Z][A-Z0-9_]*)[?!]?:/g;
  for (const source of sources) {
    for (const [, body = '', name = ''] of source.matchAll(property)) {
      const text = body
        .split('\n')
        .map((line) => line.replace(/^\s*\*\s?/, '').trim())
        .filter(Boolean)
        .join(' ');
      if (!comments.has(name)) comments.set(name, text);
    }
  }
  return comments;
}

function describeConstraint(m: ValidationMetadata): string | undefined {
  const c = (m.constraints ?? []) as unknown[];
  const each = m.each ? 'each ' : '';
  switch (m.name) {
    case 'min':
      return `${each}>= ${String(c[0])}`;
    case 'max':
      return `${each}<= ${String(c[0])}`;
    case 'minLength':
      return `${each}at least ${String(c[0])} characters`;
    case 'maxLength':
      return `${each}at most ${String(c[0])} characters`;
    case 'matches':
      return `${each}matches \`${String(c[0])}\``;
    case 'isIn':
      return `one of ${(c[0] as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
    case 'isUrl': {
      const protocols = (c[0] as { protocols?: string[] } | undefined)?.protocols;
      return protocols ? `URL (${protocols.join(', ')})` : 'URL';
    }
    case 'isISO31661Alpha2':
      return 'ISO 3166-1 alpha-2 country code';
    case 'isPositive':
      return '> 0';
    case 'isInt':
    case 'isNumber':
    case 'isString':
    case 'isBoolean':
    case 'isArray':
      return undefined; // said by the type column
    case undefined:
      return undefined;
    default:
      return m.name;
  }
}

function typeOf(schema: new () => object, name: string, metadata: readonly ValidationMetadata[]): string {
  const names = new Set(metadata.map((m) => m.name));
  const design = Reflect.getMetadata('design:type', schema.prototype as object, name) as unknown;
  if (names.has('isInt')) return 'integer';
  if (names.has('isNumber')) return 'number';
  if (names.has('isBoolean') || design === Boolean) return 'boolean';
  if (design === Array || metadata.some((m) => m.each)) return 'list (comma-separated)';
  if (names.has('isIn')) return 'enum';
  if (design === Number) return 'number';
  return 'string';
}

function envValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** Every variable of a configuration class: its type, default, whether it is required, and its constraints. */
export function describeConfig(schema: new () => object, sources: readonly string[] = []): ConfigVariable[] {
  const all = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  const defaults = new schema() as Record<string, unknown>;
  const comments = docComments(sources);
  // Base classes first; within a class, properties in source order (decorators run bottom-up).
  const chain: unknown[] = [];
  for (let c: unknown = schema; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const names = [...new Set(chain.flatMap((c) => all.filter((m) => m.target === c).map((m) => m.propertyName)))];
  return names.map((name) => {
    const own = all.filter((m) => m.propertyName === name).reverse();
    const optional = own.some((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const value = envValue(defaults[name]);
    return {
      name,
      type: typeOf(schema, name, own),
      default: value,
      required: value === undefined && !optional,
      constraints: own
        .filter((m) => m.type !== ValidationTypes.CONDITIONAL_VALIDATION)
        .map(describeConstraint)
        .filter((c): c is string => c !== undefined),
      description: comments.get(name) ?? '',
    };
  });
}

/** Markdown lines of at most `width` characters (words kept whole), the first after `first`, the rest indented. */
function wrap(first: string, text: string, width = 110, indent = '  '): string[] {
  const lines: string[] = [];
  let line = first;
  // A code span is one word: Markdown renders a span broken across lines, but formatters rewrite it.
  for (const word of text
    .replace(/\s+/g, ' ')
    .trim()
    .match(/(?:`[^`]*`|[^\s`])+/g) ?? []) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() === '' ? indent + word : `${line} ${word}`;
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}

/**
 * The configuration reference: per service, one list item per variable (name, type, default,
 * constraints, then its description), wrapped to fit a screen (a table's description cells ran to
 * hundreds of characters).
 */
export function renderConfigReference(services: readonly ServiceConfig[]): string {
  const parts: string[] = [];
  for (const { service, schema, sources } of services) {
    parts.push(`### ${service} (\`${schema.name}\`)`, '');
    for (const v of describeConfig(schema, sources)) {
      const fallback = v.required ? '**required**' : 'default unset';
      const def = v.default === undefined ? fallback : v.default === '' ? 'default `""`' : `default \`${v.default}\``;
      const facts = [v.type, def, ...v.constraints].join('; ');
      parts.push(...wrap(`- \`${v.name}\``, v.description ? `(${facts}): ${v.description}` : `(${facts})`));
    }
    parts.push('');
  }
  return parts.join('\n');
}

export const CONFIG_REFERENCE_BEGIN =
  '<!-- BEGIN GENERATED: configuration reference (node dist/tools/cli/src/main.js docs config --write) -->';
export const CONFIG_REFERENCE_END = '<!-- END GENERATED: configuration reference -->';

/** The generated section between the markers of a document, or undefined when it has none. */
export function generatedSection(document: string): string | undefined {
  const begin = document.indexOf(CONFIG_REFERENCE_BEGIN);
  const end = document.indexOf(CONFIG_REFERENCE_END);
  if (begin < 0 || end < begin) return undefined;
  return document.slice(begin + CONFIG_REFERENCE_BEGIN.length, end).trim();
}

/** The document with its generated section replaced (appended when it has none yet). */
export function withGeneratedSection(document: string, reference: string): string {
  const block = `${CONFIG_REFERENCE_BEGIN}\n\n${reference.trim()}\n\n${CONFIG_REFERENCE_END}`;
  const begin = document.indexOf(CONFIG_REFERENCE_BEGIN);
  const end = document.indexOf(CONFIG_REFERENCE_END);
  if (begin < 0 || end < begin) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, begin) + block + document.slice(end + CONFIG_REFERENCE_END.length);
}
