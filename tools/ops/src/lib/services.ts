import { Topic } from '@wt/contracts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from './workspace';

/**
 * The deployable services, derived from the code rather than listed by hand, so that an app added
 * under apps/ without its operations files (compose, kustomize, secrets) fails the offline checks.
 */
export interface AppInfo {
  name: string;
  /** Owns a database: it has TypeORM migrations under src/migrations. */
  ownsDatabase: boolean;
  /**
   * The topics its handlers subscribe to (`@EventPattern(Topic.X)`, with or without handler extras, or
   * `topicConsumer(Topic.X, ...)`, outside tests); empty: no consumer.
   */
  consumes: string[];
}

/** Apps that run only in dev and test (never in prod): they get no KEDA scaler. */
export const DEV_ONLY_APPS: readonly string[] = ['whatsapp-sandbox'];

/** Every project under apps/ tagged type:app, sorted by name. */
export function discoverApps(root = fromRoot()): AppInfo[] {
  const appsDir = join(root, 'apps');
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(appsDir, entry.name, 'project.json')))
    .filter((entry) => {
      const project = JSON.parse(readFileSync(join(appsDir, entry.name, 'project.json'), 'utf8')) as { tags?: string[] };
      return project.tags?.includes('type:app') ?? false;
    })
    .map((entry) => {
      const src = join(appsDir, entry.name, 'src');
      return { name: entry.name, ownsDatabase: existsSync(join(src, 'migrations')), consumes: consumedTopics(src) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function consumedTopics(dir: string): string[] {
  const topics = new Set<string>();
  const visit = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.ts$/.test(entry.name) && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(entry.name)) {
        for (const [, key] of readFileSync(full, 'utf8').matchAll(/(?:@EventPattern|\btopicConsumer)\(\s*Topic\.(\w+)\s*[,)]/g)) {
          const topic = (Topic as Record<string, string>)[key ?? ''];
          if (!topic) throw new Error(`${full}: Topic.${key} is not in the contracts' Topic enum`);
          topics.add(topic);
        }
      }
    }
  };
  if (existsSync(dir)) visit(dir);
  return [...topics].sort();
}

export interface StackService {
  name: string;
  offset: number;
  db: boolean;
}

/** SERVICES of tools/stack/services.mjs (the local stack's list), read as text: it is an ES module. */
export function stackServices(root = fromRoot()): StackService[] {
  const text = readFileSync(join(root, 'tools/stack/services.mjs'), 'utf8');
  const block = /export const SERVICES = \[([\s\S]*?)\n\];/.exec(text)?.[1];
  if (!block) throw new Error('tools/stack/services.mjs: no `export const SERVICES = [...]` found');
  return [...block.matchAll(/\{\s*name:\s*'([^']+)',\s*offset:\s*(\d+),[^}]*db:\s*(true|false)\s*\}/g)].map(([, name, offset, db]) => ({
    name: name ?? '',
    offset: Number(offset),
    db: db === 'true',
  }));
}

const apps = discoverApps();
/** Every app (the sandbox included). */
export const APPS = apps.map((a) => a.name);
/** Apps deployed to every environment. */
export const SERVICES = APPS.filter((name) => !DEV_ONLY_APPS.includes(name));
/** Apps that own a database (and so a migrations Job, a `wt-<app>-db` Secret, a compose database). */
export const DB_SERVICES = apps.filter((a) => a.ownsDatabase).map((a) => a.name);
/** Apps that consume Kafka topics, with the topics. */
export const CONSUMERS = new Map(apps.filter((a) => a.consumes.length > 0).map((a) => [a.name, a.consumes]));
/** The HTTP port of each app in production and compose: 3000 + its offset in the local stack. */
export const PORTS = new Map(stackServices().map((s) => [s.name, 3000 + s.offset]));
