import { generatedSection, renderConfigReference, type ServiceConfig } from '@wt/config';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS } from './lib/services';
import { fromRoot } from './lib/workspace';

/**
 * Each app's configuration class, from its source (jest compiles it): tools may not import apps,
 * so the path is computed at runtime, as `docs config` does with the built apps.
 */
function serviceConfigsFromSource(): ServiceConfig[] {
  const base = readFileSync(fromRoot('libs/config/src/lib/service-env.ts'), 'utf8');
  return APPS.flatMap((app) =>
    readdirSync(fromRoot('apps', app, 'src'))
      .filter((f) => f.endsWith('.config.ts'))
      .sort()
      .map((file) => {
        const path = join(fromRoot('apps', app, 'src'), file);
        const exports = require(path) as Record<string, unknown>;
        const schema = Object.values(exports).find((v): v is new () => object => typeof v === 'function' && /Config$/.test(v.name));
        if (!schema) throw new Error(`${path} exports no *Config class`);
        return { service: app, schema, sources: [readFileSync(path, 'utf8'), base] };
      }),
  );
}

describe('docs/configuration.md configuration reference', () => {
  const services = serviceConfigsFromSource();

  it('covers every app, each with its configuration class', () => {
    expect(services.map((s) => s.service)).toEqual(APPS);
  });

  it('is up to date with the configuration classes (regenerate: node dist/tools/cli/src/main.js docs config --write)', () => {
    const section = generatedSection(readFileSync(fromRoot('docs/configuration.md'), 'utf8'));
    expect(section).toBeDefined();
    expect(section).toBe(renderConfigReference(services).trim());
  });

  it('documents every validated variable of every service, and required ones as required', () => {
    const section = generatedSection(readFileSync(fromRoot('docs/configuration.md'), 'utf8')) ?? '';
    expect(section).toMatch(/^- `PSEUDONYM_SECRET` \(string; \*\*required\*\*; at least 32 characters\)/m);
    expect(section).toMatch(/^- `PORT` \(integer; default `3001`; >= 1; <= 65535\)/m);
    // Lines that fit a screen (the table's description cells ran to hundreds of characters).
    expect(Math.max(...section.split('\n').map((line) => line.length))).toBeLessThanOrEqual(110);
  });
});
