import { DCLinter } from 'dclint';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { APPS, CONSUMERS, DB_SERVICES, PORTS } from './lib/services';
import { SECRET_NAME } from './lib/workload-policy';
import { fromRoot } from './lib/workspace';

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  restart?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const text = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
// Compose reads YAML merge keys (`<<: *anchor`), so the check does too.
const compose = parse(text, { merge: true }) as ComposeFile;
const INTERPOLATION = /\$\{[A-Z_]+(?::[-?][^}]*)?\}/g;
const URL_WITH_LITERAL_PASSWORD = /:\/\/[^:@/\s]+:(?!\$\{\}@)[^@/\s]+@/;

describe('docker-compose.yml', () => {
  it('conforms to the Compose Specification schema and passes dclint', () => {
    const linter = new DCLinter({
      quiet: false,
      debug: false,
      exclude: [],
      rules: {
        // Style only: order of keys and services is left to readability (anchors first, infra first).
        'service-keys-order': 0,
        'services-alphabetical-order': 0,
        'service-dependencies-alphabetical-order': 0,
        'top-level-properties-order': 0,
        // On purpose: `build` with `image` tags the built image, so the demo reuses the CLI image.
        'no-build-and-image': 0,
      },
    });
    const [result] = linter.lintFiles([fromRoot('docker-compose.yml')], false);
    expect(result?.messages.map((m: { line: number; message: string; rule: string }) => `${m.line}: ${m.message} (${m.rule})`)).toEqual([]);
  });

  it('runs Kafka (KRaft) at the version the local stack pins, Postgres, every service, topic creation and the demo', () => {
    const pinned = /export const KAFKA_VERSION = '([^']+)'/.exec(readFileSync(fromRoot('tools/stack/kafka-broker.mjs'), 'utf8'))?.[1];
    expect(compose.services['kafka']?.image).toBe(`apache/kafka:${pinned}`);
    expect(compose.services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(Object.keys(compose.services).sort()).toEqual([...APPS, 'kafka', 'postgres', 'topics', 'demo', 'jaeger'].sort());
    expect(compose.services['topics']?.command).toEqual(['node', 'dist/tools/cli/src/main.js', 'topics', 'ensure']);
    expect(compose.services['demo']?.command).toEqual(['node', 'dist/tools/cli/src/main.js', 'demo']);
  });

  it('sends the spans of every service to Jaeger over OTLP/HTTP (tracing off when the variable is emptied)', () => {
    expect(compose.services['jaeger']?.image).toMatch(/^jaegertracing\/all-in-one:\d+\.\d+\.\d+$/);
    for (const app of APPS) {
      expect({ app, endpoint: compose.services[app]?.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT'] }).toEqual({
        app,
        endpoint: '${OTEL_EXPORTER_OTLP_ENDPOINT-http://jaeger:4318}',
      });
    }
  });

  it('builds each service from the one Dockerfile with its project path, and checks its readiness', () => {
    for (const app of APPS) {
      const service = compose.services[app];
      if (!service) throw new Error(`${app} is missing`);
      expect(service.build).toEqual({ context: '.', args: { APP_PATH: `apps/${app}` } });
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
      expect(service.read_only).toBe(true);
      expect(service.environment?.['PORT']).toBe(PORTS.get(app));
    }
    for (const infra of ['kafka', 'postgres']) expect(compose.services[infra]?.healthcheck).toBeDefined();
  });

  it('starts consumers only once Kafka is healthy and the topics exist, and database owners once Postgres is', () => {
    expect(CONSUMERS.size).toBeGreaterThan(0);
    for (const app of CONSUMERS.keys()) {
      expect({ app, dependsOn: compose.services[app]?.depends_on }).toMatchObject({
        app,
        dependsOn: { kafka: { condition: 'service_healthy' }, topics: { condition: 'service_completed_successfully' } },
      });
    }
    const init = readFileSync(fromRoot('deploy/compose/postgres-init.sql'), 'utf8');
    expect(DB_SERVICES.length).toBeGreaterThan(0);
    for (const app of DB_SERVICES) {
      expect(compose.services[app]?.depends_on?.['postgres']).toEqual({ condition: 'service_healthy' });
      expect(compose.services[app]?.environment?.['DATABASE_URL']).toBe(`postgres://wt:\${POSTGRES_PASSWORD}@postgres:5432/wt_${app}`);
      expect(init).toContain(`CREATE DATABASE wt_${app};`);
    }
  });

  it('writes no secret value: every secret is interpolated from .env, which make-env.sh generates', () => {
    const generated = readFileSync(fromRoot('deploy/compose/make-env.sh'), 'utf8');
    const literal: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        const plain = String(value).replace(INTERPOLATION, '${}');
        // A secret is an interpolation, or a URL whose password is one; no other literal carries a password.
        const secretOk = plain === '${}' || /^[a-z]+:\/\/[^:@/]+:\$\{\}@/.test(plain);
        if ((SECRET_NAME.test(key) && !secretOk) || URL_WITH_LITERAL_PASSWORD.test(plain)) literal.push(`${name}.${key}`);
        for (const [, variable] of String(value).matchAll(/\$\{([A-Z_]+)(?::[-?][^}]*)?\}/g)) {
          const hasDefault = new RegExp(`\\$\\{${variable}:-`).test(text);
          if (!hasDefault && !generated.includes(`${variable}=`))
            literal.push(`${name}.${key}: \${${variable}} is neither defaulted nor generated`);
        }
      }
    }
    expect(literal).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(fromRoot('Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
  const runtime = dockerfile.slice(dockerfile.search(/^FROM .* AS runtime$/m));

  it('is multi-stage and ships only production dependencies and the build output', () => {
    expect(stages).toEqual(['deps', 'build', 'prod-deps', 'runtime']);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime.match(/^COPY .*/gm)).toEqual([
      'COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules',
      'COPY --from=build --chown=root:root /src/dist ./dist',
      'COPY --chown=root:root package.json ./',
    ]);
  });

  it('runs as a non-root user', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER (root|0)\b/m);
  });
});
