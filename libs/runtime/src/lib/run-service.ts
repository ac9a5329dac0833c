import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { ModuleRef, NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { ContactSealer } from '@wt/identity';
import {
  DeadLetterSealer,
  enableRecordSpans,
  KafkaBatchServer,
  kafkaConnectionOf,
  type KafkaEnv,
  KafkaPublisher,
  type KafkaBatchServerOptions,
  type PersonOf,
} from '@wt/kafka';
import { loadConfig, ServiceEnv } from '@wt/config';
import { installTraceContext, ReadinessRegistry, startTracing } from '@wt/observability';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { configureHttpInput } from './http-input/http-input';
import { buildOpenApiDocument } from './openapi';

export interface RunServiceOptions {
  /** Short name: logs, metrics labels, dead letters, consumer group. */
  name: string;
  module: Type<unknown>;
  port: number;
  host?: string;
  /** Consume the topics of the module's `@EventPattern` handlers with this group. */
  consumer?: Omit<KafkaBatchServerOptions, 'service' | 'publisher' | 'deadLetterSealer'> & {
    /**
     * Whom a refused record is about, for sealing its dead letter under their key (default: its
     * `personId`). A service reading public inputs passes `phoneOwner(pseudonymizer)`.
     */
    personOf?: PersonOf;
  };
  /** Keep the raw request body (webhook signatures are computed over the exact bytes). */
  rawBody?: boolean;
  /** Largest accepted JSON body, e.g. `'2mb'` (default DEFAULT_BODY_LIMIT, 100kb). */
  bodyLimit?: string;
}

export type ServiceConsumerOptions = NonNullable<RunServiceOptions['consumer']>;

/**
 * The consumer of service `name` as its `main` runs it: its Kafka connection (client id `name`) in
 * the group `<KAFKA_GROUP_PREFIX>.<name>`, with `options` (concurrency, the owner of public inputs, ...).
 */
export function serviceConsumer(
  config: KafkaEnv & { KAFKA_GROUP_PREFIX: string },
  name: string,
  options: Partial<ServiceConsumerOptions> = {},
): ServiceConsumerOptions {
  return { connection: kafkaConnectionOf(config, name), groupId: `${config.KAFKA_GROUP_PREFIX}.${name}`, ...options };
}

/**
 * Boots a service the same way everywhere: pino logs, Kafka batch consumer, readiness checks
 * for Kafka and Postgres, graceful shutdown on SIGTERM (the consumer finishes its batch, commits,
 * leaves the group; then connections close), and the HTTP server behind the shared edge
 * (configureHttpInput: JSON only, size, depth, NUL, numbers, prototype keys; one JSON error shape).
 */
export async function runService(options: RunServiceOptions): Promise<INestApplication> {
  if (process.env['WT_RUN_MODE'] === 'migrate') {
    await migrateOnly(options);
    // A one-shot (the Kubernetes migrations Job): nothing else to run.
    process.exit(0);
  }
  // Trace context always (log lines carry the ids of the request or record they are written for);
  // spans exported only with OTEL_EXPORTER_OTLP_ENDPOINT (see @wt/observability/tracing).
  installTraceContext();
  const env = loadConfig(ServiceEnv);
  const tracing = startTracing({
    service: options.name,
    endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG,
  });
  enableRecordSpans(tracing);
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    bufferLogs: true,
    // Throw boot errors to the caller (main() reports them) instead of exiting inside Nest.
    abortOnError: false,
    // The body is read by configureHttpInput: JSON only, checked before any controller sees it.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  configureHttpInput(app, { bodyLimit: options.bodyLimit, rawBody: options.rawBody });
  app.enableShutdownHooks();

  const readiness = app.get(ReadinessRegistry);
  // Through ModuleRef: a service without a database is not an error worth a log line.
  const dataSource = optional(() => app.get(ModuleRef).get(DataSource, { strict: false }));
  if (dataSource) {
    readiness.register('postgres', async () => {
      await dataSource.query('SELECT 1');
      return true;
    });
  }

  serveOpenApi(app, options.name);

  if (options.consumer) {
    const { personOf, ...consumer } = options.consumer;
    // A service with the key vault seals its dead letters' originals; one without withholds them.
    const contacts = optional(() => app.get(ModuleRef).get(ContactSealer, { strict: false }));
    const server = new KafkaBatchServer({
      ...consumer,
      service: options.name,
      publisher: app.get(KafkaPublisher),
      deadLetterSealer: contacts ? new DeadLetterSealer(contacts, personOf) : undefined,
    });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    readiness.register('kafka', () => server.isReady());
    // Module init hooks first (the key vault opens its database there): a consumer that fetched
    // before them failed its first calls and restarted, 25-40 s lost on every restart. A microservice
    // connected this way does not call the hooks again (connectMicroservice marks them called).
    await app.init();
    await app.startAllMicroservices();
  }

  await app.listen(options.port, options.host ?? '0.0.0.0');
  app.get(Logger).log(`${options.name} listening on http://${options.host ?? '0.0.0.0'}:${options.port}`);
  return app;
}

/**
 * OpenAPI of the service's HTTP API at `/docs` (Swagger UI), `/docs/json` and `/docs/yaml`, built
 * from its controllers, their `@nestjs/swagger` decorators and their DTOs' validation (see
 * buildOpenApiDocument).
 */
export function serveOpenApi(app: INestApplication, name: string, description?: string): void {
  const document = buildOpenApiDocument(app, name, description);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
}

/**
 * `WT_RUN_MODE=migrate`: builds the module graph only, so that TypeORM connects and runs the
 * pending migrations (with DB_MIGRATIONS_RUN=true), then closes. No HTTP server, no consumer.
 */
async function migrateOnly(options: RunServiceOptions): Promise<void> {
  const context = await NestFactory.createApplicationContext(options.module, { abortOnError: false, bufferLogs: true });
  context.useLogger(context.get(Logger));
  const dataSource = optional(() => context.get(DataSource, { strict: false }));
  if (!dataSource) {
    await context.close();
    throw new Error(`${options.name} owns no database: WT_RUN_MODE=migrate has nothing to do`);
  }
  const pending = await dataSource.showMigrations();
  if (pending) {
    await context.close();
    throw new Error(`${options.name}: migrations are still pending; set DB_MIGRATIONS_RUN=true for WT_RUN_MODE=migrate`);
  }
  context.get(Logger).log(`${options.name}: migrations applied, schema up to date`);
  await context.close();
}

function optional<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}

/** Catches a failed boot (bad configuration, unreachable broker) with a clear last line and exit code. */
export function main(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
