import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { createSandboxApp } from './sandbox-app';
import { SandboxConfig } from './sandbox.config';

/** Nest's levels for our LOG_LEVEL (pino's names). */
function nestLogLevels(level: string): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo: Record<string, number> = {
    fatal: 0,
    error: 1,
    warn: 2,
    info: 3,
    debug: 4,
    trace: 5,
    silent: -1,
  };
  return order.slice(0, (upTo[level] ?? 3) + 1);
}

async function bootstrap(): Promise<void> {
  const app = await createSandboxApp(process.env);
  const config = app.get(SandboxConfig);
  app.useLogger(nestLogLevels(config.LOG_LEVEL));
  await app.listen(config.PORT);
  const logger = new Logger('WhatsAppSandbox');
  logger.log(`WhatsApp Cloud API sandbox listening on port ${config.PORT}`);
  if (!config.SANDBOX_WEBHOOK_URL) logger.warn('SANDBOX_WEBHOOK_URL is not set: statuses and inbound messages are not posted');
}

bootstrap().catch((error: unknown) => {
  new Logger('WhatsAppSandbox').fatal(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
