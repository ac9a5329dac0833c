import { applyDecorators, HttpCode, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiResponse, DocumentBuilder, type OpenAPIObject, type ReferenceObject, type SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { contractTypeSchemaConverters } from '@wt/contracts';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

type Schema = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI document of a service's HTTP API, built in-process from its controllers: routes,
 * path and query parameters, and the `@nestjs/swagger` response decorators. Builds use SWC, so
 * the swagger CLI plugin never runs: request body schemas come from the class-validator metadata
 * the DTOs already have (class-validator-jsonschema; nested types from `@ContractType`), filled into
 * the component schemas that `@nestjs/swagger` leaves empty. A body of the service's routes also
 * answers 400 (validation) and 413 (body limit), added where a route does not say otherwise.
 */
export function buildOpenApiDocument(app: INestApplication, name: string, description?: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(`${name} API`)
    .setDescription(description ?? `HTTP API of the ${name} service: health, metrics and its own endpoints.`)
    .setVersion(process.env['npm_package_version'] ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A business API key, or the operations token (profiles)' })
    .build();
  return completeOpenApiDocument(SwaggerModule.createDocument(app, config));
}

/** Fills empty component schemas from class-validator metadata, and the generic error answers. */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  // Nested types from `@ContractType` (our reflect-metadata), not from class-transformer's private storage.
  const derived = validationMetadatasToSchemas({
    refPointerPrefix: REF_PREFIX,
    additionalConverters: contractTypeSchemaConverters,
  }) as Record<string, Schema>;
  const components = (document.components ??= {});
  const schemas = (components.schemas ??= {}) as Record<string, Schema>;
  // Only what the document references, transitively: never every validated class of the process.
  const pending = [...referencedSchemas(document.paths), ...Object.keys(schemas).flatMap((n) => referencedSchemas(schemas[n]))];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const schemaName = pending.pop() as string;
    if (seen.has(schemaName)) continue;
    seen.add(schemaName);
    const current = schemas[schemaName];
    if ((!current || !hasProperties(current)) && derived[schemaName]) schemas[schemaName] = { ...current, ...derived[schemaName] };
    if (schemas[schemaName]) pending.push(...referencedSchemas(schemas[schemaName]));
  }
  schemas['HttpError'] ??= HTTP_ERROR_SCHEMA;
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation?.requestBody) continue;
      operation.responses['400'] ??= errorResponse('The body is not JSON, or not valid (the answer names each failing field).');
      operation.responses['413'] ??= errorResponse('The body is larger than the service accepts.');
    }
  }
  return document;
}

/** Nest's error answer: `{ statusCode, message, error }`. */
export const HTTP_ERROR_SCHEMA: Schema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer', example: 400 },
    message: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      description: 'What is wrong (one line per failing field)',
    },
    error: { type: 'string', example: 'Bad Request' },
  },
  required: ['statusCode', 'message'],
};

/** `{ $ref }` to a component schema: a DTO or contract class (filled from its validation), or `HttpError`. */
export function schemaRef(model: string | Type<unknown>): ReferenceObject {
  return { $ref: `${REF_PREFIX}${typeof model === 'string' ? model : model.name}` };
}

/** A documented answer of a route: its status, what it means and (unless empty) its JSON shape. */
export function ApiAnswer(status: number, description: string, schema?: SchemaObject | ReferenceObject) {
  return ApiResponse({ status, description, ...(schema ? { schema } : {}) });
}

/** The error answers of a route (or of every route of a controller), in Nest's `HttpError` shape unless told. */
export function ApiErrors(errors: Record<number, string>, schema: SchemaObject | ReferenceObject = schemaRef('HttpError')) {
  return applyDecorators(
    ...Object.entries(errors).map(([status, description]) => ApiResponse({ status: Number(status), description, schema })),
  );
}

/** A route that answers 204 (no body) when it acted, and 404 when there was nothing to act on. */
export function ApiNoContentOr404(done: string, nothing: string) {
  return applyDecorators(HttpCode(204), ApiAnswer(204, done), ApiErrors({ 404: nothing }));
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: `${REF_PREFIX}HttpError` } } } };
}

function hasProperties(schema: Schema): boolean {
  return typeof schema['properties'] === 'object' && schema['properties'] !== null && Object.keys(schema['properties']).length > 0;
}

function referencedSchemas(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) referencedSchemas(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(REF_PREFIX)) out.push(item.slice(REF_PREFIX.length));
      else referencedSchemas(item, out);
    }
  }
  return out;
}

/**
 * What the document leaves undocumented: a POST, PUT or PATCH without a request body (unless
 * listed in `bodyless`, e.g. `PUT /v1/things/{id}`), a request body without a schema with
 * properties (its own or a referenced one's), or an operation that documents no success (2xx)
 * answer with a description and, unless it answers 204, the shape of that answer. Empty when
 * complete.
 */
export function openApiGaps(document: OpenAPIObject, options: { bodyless?: string[] } = {}): string[] {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    const ref = schema?.['$ref'];
    return typeof ref === 'string' ? resolve(schemas[ref.slice(REF_PREFIX.length)]) : schema;
  };
  const described = (schema: Schema | undefined): boolean => {
    const target = resolve(schema);
    if (!target) return false;
    if (hasProperties(target) || typeof target['additionalProperties'] === 'object') return true;
    if (target['type'] === 'array') return described(target['items'] as Schema);
    if (typeof target['type'] === 'string' && target['type'] !== 'object') return true;
    const parts = [target['allOf'], target['oneOf'], target['anyOf']].filter(Array.isArray).flat() as Schema[];
    return parts.length > 0 && parts.every((part) => described(part));
  };
  const gaps: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const body = operation.requestBody && 'content' in operation.requestBody ? operation.requestBody : undefined;
      if (!operation.requestBody && ['post', 'put', 'patch'].includes(method) && !options.bodyless?.includes(where)) {
        gaps.push(`${where}: no request body documented`);
      }
      if (operation.requestBody) {
        const bodySchemas = Object.values(body?.content ?? {}).map((media) => media.schema as Schema | undefined);
        if (bodySchemas.length === 0 || !bodySchemas.every((schema) => described(schema)))
          gaps.push(`${where}: request body has no schema with properties`);
      }
      const successes = Object.entries(operation.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code));
      const documented = successes.filter(([code, response]) => {
        if (!response || !('description' in response) || !response.description) return false;
        if (code === '204') return true;
        const contents = Object.values(response.content ?? {});
        return contents.length > 0 && contents.every((media) => described(media.schema as Schema | undefined));
      });
      if (documented.length === 0) gaps.push(`${where}: no documented success response (description and shape)`);
    }
  }
  return gaps;
}

/**
 * The OpenAPI document of a module, without a server and without connecting to anything: the
 * module graph is only scanned (Nest's preview mode instantiates no provider).
 */
export async function openApiDocumentOf(module: Type<unknown>, name: string): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module, { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app, name);
  } finally {
    await app.close();
  }
}
