import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttpInput, serveOpenApi } from '@wt/runtime';
import { AppModule } from './app.module';
import { GraphErrorFilter } from './graph/graph-error.filter';
import { serveGraphVersions } from './graph/graph-version';

/**
 * The sandbox as `main` runs it, before it listens: the module with its validated configuration,
 * the platform's HTTP edge (configureHttpInput), shutdown hooks, and its OpenAPI document at `/docs` (`/docs/json`, `/docs/yaml`) like every service.
 */
export async function createSandboxApp(
  env: Record<string, string | undefined>,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(env), { bufferLogs: true, bodyParser: false, ...options });
  // The platform's HTTP edge (JSON only, body limit, depth, NUL...), its errors rendered as Graph's on Graph paths.
  configureHttpInput(app, { errorFilter: new GraphErrorFilter() });
  // Before any route: a retired version is served as Meta serves it, an unknown one refused.
  serveGraphVersions(app);
  app.enableShutdownHooks();
  serveOpenApi(
    app,
    'whatsapp-sandbox',
    'Stand-in for the WhatsApp Cloud API: its Graph API routes (send, templates; Bearer access token, Graph errors) and the test routes under /sandbox (faults, inbound messages, inspection).',
  );
  return app;
}
