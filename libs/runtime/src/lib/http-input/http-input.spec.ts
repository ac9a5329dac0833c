import { Body, Controller, Get, HttpCode, type INestApplication, Module, Param, Post, Req, ValidationPipe } from '@nestjs/common';
import { ObservabilityModule } from '@wt/observability';
import { IsInt, IsString } from 'class-validator';
import { type AddressInfo } from 'node:net';
import { runService } from '../run-service';
import { inputProblemOf, ReadsOwnInput } from './input-problem.guard';

class ThingDto {
  @IsString()
  name: string;

  @IsInt()
  size: number;
}

/** Stands for pg's DatabaseError (what TypeORM wraps in QueryFailedError as `driverError`). */
function postgresError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR', detail: 'Key (phone)=(+33612345678) internal detail' });
}

const seen: unknown[] = [];

@Controller('v1/things')
class ThingsController {
  @Post()
  @HttpCode(200)
  create(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) dto: ThingDto): ThingDto {
    seen.push(dto);
    return dto;
  }

  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post('store/:code')
  @HttpCode(200)
  store(@Param('code') code: string): never {
    throw Object.assign(new Error('query failed: INSERT INTO things ...'), {
      driverError: postgresError(code, `SQLSTATE ${code} at things.size`),
    });
  }

  @Post('broken')
  broken(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'phone_number_id')");
  }

  @Post('own')
  @HttpCode(200)
  @ReadsOwnInput()
  own(@Req() request: object & { rawBody?: Buffer }): { problem: unknown; raw: string | undefined } {
    return { problem: inputProblemOf(request) ?? null, raw: request.rawBody?.toString('utf8') };
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ service: 'edge-test', logLevel: 'silent' })], controllers: [ThingsController] })
class EdgeTestModule {}

describe('the shared HTTP edge (configureHttpInput through runService)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await runService({ name: 'edge-test', module: EdgeTestModule, port: 0, host: '127.0.0.1', bodyLimit: '2kb', rawBody: true });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  async function send(path: string, body: string | Buffer | undefined, contentType = 'application/json', method = 'POST') {
    const response = await fetch(`${base}${path}`, { method, headers: contentType ? { 'content-type': contentType } : {}, body });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), text, json: JSON.parse(text) as Record<string, unknown> };
  }

  it('passes a valid body through', async () => {
    expect(await send('/v1/things', '{"name":"a","size":1}')).toMatchObject({ status: 200, json: { name: 'a', size: 1 } });
  });

  it.each([
    ['malformed JSON', '{"name":', 'malformed_json'],
    ['a JSON scalar', '"just a string"', 'malformed_json'],
    ['900 levels of nesting', `{"name":${'['.repeat(900)}${']'.repeat(900)}}`, 'too_deep'],
    ['a NUL character', '{"name":"a\\u0000b","size":1}', 'nul_character'],
    ['a lone surrogate', '{"name":"a\\ud800","size":1}', 'lone_surrogate'],
    ['1e20', '{"name":"a","size":1e20}', 'number_out_of_range'],
    ['1e999 (Infinity once parsed)', '{"name":"a","size":1e999}', 'number_out_of_range'],
    ['__proto__', '{"name":"a","size":1,"__proto__":{"admin":true}}', 'forbidden_key'],
    ['constructor.prototype', '{"name":"a","size":1,"constructor":{"prototype":{"admin":true}}}', 'forbidden_key'],
  ])('answers 400 with a reason to %s, before validation', async (_what, body, reason) => {
    const before = seen.length;
    const answer = await send('/v1/things', body);
    expect(answer).toMatchObject({ status: 400, json: { statusCode: 400, error: 'Bad Request', reason, message: expect.any(String) } });
    expect(answer.type).toMatch(/application\/json/);
    expect(seen.length).toBe(before);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('answers 413 to a body over the limit', async () => {
    expect(await send('/v1/things', JSON.stringify({ name: 'x'.repeat(4000), size: 1 }))).toMatchObject({
      status: 413,
      json: { statusCode: 413, reason: 'payload_too_large' },
    });
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['application/xml'], ['']])(
    'answers 415 to a body sent as "%s"',
    async (contentType) => {
      expect(await send('/v1/things', 'name=a&size=1', contentType)).toMatchObject({
        status: 415,
        json: { statusCode: 415, reason: 'unsupported_media_type' },
      });
    },
  );

  it('answers 415 to a charset JSON cannot be in', async () => {
    expect(await send('/v1/things', '{"name":"a","size":1}', 'application/json; charset=latin1')).toMatchObject({ status: 415 });
  });

  it.each([
    ['/v1/things/a%00b', 'nul_character'],
    ['/v1/things/a%E0%A4%A', 'malformed_url'],
    ['/v1/things/a?q=%00', 'nul_character'],
  ])('answers 400 to the URL %s', async (path, reason) => {
    expect(await send(path, undefined, '', 'GET')).toMatchObject({ status: 400, json: { statusCode: 400, reason } });
  });

  it('answers a value Postgres refuses (SQLSTATE 22xxx) with 400, and a conflict (23xxx) with 409, without internals', async () => {
    const refused = await send('/v1/things/store/22021', '{}');
    expect(refused).toMatchObject({ status: 400, json: { reason: 'unstorable_value' } });
    const conflict = await send('/v1/things/store/23505', '{}');
    expect(conflict).toMatchObject({ status: 409, json: { reason: 'conflict' } });
    for (const { text } of [refused, conflict]) expect(text).not.toMatch(/SQLSTATE|things|\+336/);
  });

  it('answers a database that is down with 503, and a bug with a bare 500 (provokes server errors on purpose)', async () => {
    expect(await send('/v1/things/store/57P01', '{}')).toMatchObject({ status: 503, json: { statusCode: 503 } });
    const bug = await send('/v1/things/broken', '{}');
    expect(bug).toMatchObject({ status: 500, json: { statusCode: 500, message: 'Internal server error' } });
    expect(bug.text).not.toMatch(/phone_number_id|TypeError/);
  });

  it('lets a route marked @ReadsOwnInput() read the problem and the raw bytes itself', async () => {
    const raw = '{"a":"\\u0000"}';
    expect(await send('/v1/things/own', raw)).toMatchObject({
      status: 200,
      json: { problem: { reason: 'nul_character', message: '$.a: holds a NUL character (U+0000)' }, raw },
    });
    expect(await send('/v1/things/own', '{"a":')).toMatchObject({
      status: 200,
      json: { problem: { reason: 'malformed_json' }, raw: '{"a":' },
    });
  });

  it('answers an unknown route 404 in JSON, whatever its body', async () => {
    expect(await send('/v1/nothing', '{"a":"\\u0000"}')).toMatchObject({ status: 404, json: { statusCode: 404 } });
  });
});
