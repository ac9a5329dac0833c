import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { ObservabilityModule } from '@wt/observability';
import { type AddressInfo } from 'node:net';
import { runService } from './run-service';

@Controller('v1/things')
class ThingsController {
  @Get()
  list(): string[] {
    return ['a'];
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ service: 'docs-test', logLevel: 'silent' })], controllers: [ThingsController] })
class DocsTestModule {}

describe('runService', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await runService({ name: 'docs-test', module: DocsTestModule, port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('serves the OpenAPI document of every controller at /docs/json, and Swagger UI at /docs', async () => {
    const document = (await (await fetch(`${base}/docs/json`)).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('docs-test API');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/things', '/health/live', '/health/ready', '/metrics']));
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});
