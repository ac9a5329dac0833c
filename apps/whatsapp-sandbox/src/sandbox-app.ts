import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { serveOpenApi } from '@wt/runtime';
import { AppModule } from './app.module';

/**
 * The sandbox as `main` runs it, before it listens: the module with its validated configuration,
 * shutdown hooks, and its OpenAPI document at `/docs` (`/docs/json`, `/docs/yaml`) like every service.
 */
export async function createSandboxApp(
  env: Record<string, string | undefined>,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(env), { bufferLogs: true, ...options });
  app.enableShutdownHooks();
  serveOpenApi(
    app,
    'whatsapp-sandbox',
    'Stand-in for the WhatsApp Cloud API: its Graph API routes (send, templates; Bearer access token, Graph errors) and the test routes under /sandbox (faults, inbound messages, inspection).',
  );
  return app;
}
