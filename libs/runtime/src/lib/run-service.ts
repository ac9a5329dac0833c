import 'reflect-metadata';
import { type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { KafkaBatchServer, KafkaPublisher, type KafkaBatchServerOptions } from '@wt/kafka';
import { ReadinessRegistry } from '@wt/observability';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';

export interface RunServiceOptions {
  /** Short name: logs, metrics labels, dead letters, consumer group. */
  name: string;
  module: Type<unknown>;
  port: number;
  host?: string;
  /** Consume the topics of the module's `@EventPattern` handlers with this group. */
  consumer?: Omit<KafkaBatchServerOptions, 'service' | 'publisher'>;
  /** Keep the raw request body (webhook signatures are computed over the exact bytes). */
  rawBody?: boolean;
  /** Largest accepted JSON body, e.g. `'2mb'`. */
  bodyLimit?: string;
}

/**
 * Boots a service the same way everywhere: pino logs, Kafka batch consumer, readiness checks
 * for Kafka and Postgres, graceful shutdown on SIGTERM (the consumer finishes its batch, commits,
 * leaves the group; then connections close), and the HTTP server.
 */
export async function runService(options: RunServiceOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(options.module, {
    bufferLogs: true,
    // Throw boot errors to the caller (main() reports them) instead of exiting inside Nest.
    abortOnError: false,
    rawBody: options.rawBody ?? false,
    bodyParser: true,
  });
  app.useLogger(app.get(Logger));
  if (options.bodyLimit) app.useBodyParser('json', { limit: options.bodyLimit });
  app.enableShutdownHooks();

  const readiness = app.get(ReadinessRegistry);
  const dataSource = optional(() => app.get(DataSource, { strict: false }));
  if (dataSource) {
    readiness.register('postgres', async () => {
      await dataSource.query('SELECT 1');
      return true;
    });
  }

  if (options.consumer) {
    const server = new KafkaBatchServer({
      ...options.consumer,
      service: options.name,
      publisher: app.get(KafkaPublisher),
    });
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    readiness.register('kafka', () => server.isReady());
    await app.startAllMicroservices();
  }

  await app.listen(options.port, options.host ?? '0.0.0.0');
  app.get(Logger).log(`${options.name} listening on http://${options.host ?? '0.0.0.0'}:${options.port}`);
  return app;
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
