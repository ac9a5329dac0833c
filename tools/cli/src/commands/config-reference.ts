import { renderConfigReference, type ServiceConfig, withGeneratedSection } from '@wt/config';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '../workspace-root';

/**
 * Every app's validated configuration class, loaded from the built apps (dist/apps/<app>/src/
 * <name>.config.js) at runtime: tools may not import apps (module boundaries), and the built
 * classes carry the same class-validator metadata and defaults as the sources.
 */
export function serviceConfigsFromDist(root = workspaceRoot()): ServiceConfig[] {
  const base = readFileSync(join(root, 'libs/config/src/lib/service-env.ts'), 'utf8');
  const services: ServiceConfig[] = [];
  for (const app of readdirSync(join(root, 'apps')).sort()) {
    const project = join(root, 'apps', app, 'project.json');
    if (!existsSync(project)) continue;
    const { tags = [] } = JSON.parse(readFileSync(project, 'utf8')) as { tags?: string[] };
    if (!tags.includes('type:app')) continue;
    for (const file of readdirSync(join(root, 'apps', app, 'src'))
      .filter((f) => f.endsWith('.config.ts'))
      .sort()) {
      const built = join(root, 'dist/apps', app, 'src', file.replace(/\.ts$/, '.js'));
      if (!existsSync(built)) throw new Error(`${built} is missing: build the apps first (npm run build)`);
      const exports = require(built) as Record<string, unknown>;
      const schema = Object.values(exports).find((v): v is new () => object => typeof v === 'function' && /Config$/.test(v.name));
      if (!schema) throw new Error(`${built} exports no *Config class`);
      services.push({
        service: app,
        schema,
        sources: [readFileSync(join(root, 'apps', app, 'src', file), 'utf8'), base],
      });
    }
  }
  return services;
}

/** `docs config`: prints the configuration reference; with `--write`, updates docs/configuration.md. */
export function configReferenceCommand(args: string[]): number {
  const root = workspaceRoot();
  const reference = renderConfigReference(serviceConfigsFromDist(root));
  if (!args.includes('--write')) {
    process.stdout.write(reference);
    return 0;
  }
  const path = join(root, 'docs/configuration.md');
  writeFileSync(path, withGeneratedSection(readFileSync(path, 'utf8'), reference));
  process.stdout.write(`updated the configuration reference in ${path}\n`);
  return 0;
}
