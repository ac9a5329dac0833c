import { KAFKA_SERVICES, Topic, TOPIC_ACCESS } from '@wt/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverApps } from './lib/services';
import { fromRoot } from './lib/workspace';

// TOPIC_ACCESS (libs/contracts) is the source of every service's Kafka ACLs. These checks keep it
// equal to the code: a topic a service starts to read or write without declaring it would be
// refused by the broker in production, so it fails here first.

const TOPIC_NAMES = Object.keys(Topic) as (keyof typeof Topic)[];

/** Topics an app's production code names (`Topic.X`), tests excluded. */
function topicsNamedIn(dir: string): Set<string> {
  const found = new Set<string>();
  const visit = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing' && entry.name !== 'evaluation' && entry.name !== 'eval') visit(full);
      } else if (/\.ts$/.test(entry.name) && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(entry.name)) {
        for (const [, key] of readFileSync(full, 'utf8').matchAll(/\bTopic\.(\w+)/g)) {
          if (TOPIC_NAMES.includes(key as keyof typeof Topic)) found.add(Topic[key as keyof typeof Topic]);
        }
      }
    }
  };
  visit(dir);
  return found;
}

describe('TOPIC_ACCESS (the ACLs) against the code', () => {
  const apps = new Map(discoverApps().map((app) => [app.name, app]));

  it('lists every service that consumes a topic', () => {
    const consumers = [...apps.values()].filter((app) => app.consumes.length > 0).map((app) => app.name);
    expect(consumers.filter((name) => !(KAFKA_SERVICES as string[]).includes(name))).toEqual([]);
  });

  it.each(KAFKA_SERVICES)('%s: consumes exactly the topics its handlers subscribe to', (service) => {
    expect([...TOPIC_ACCESS[service].consumes].sort()).toEqual(apps.get(service)?.consumes);
  });

  it.each(KAFKA_SERVICES)('%s: every topic its code names is declared, and every declared one is named', (service) => {
    const declared = new Set<string>([...TOPIC_ACCESS[service].consumes, ...TOPIC_ACCESS[service].produces]);
    const named = topicsNamedIn(fromRoot('apps', service, 'src'));
    // Every consumer dead-letters through libs/kafka, which names the topic for it.
    named.add(Topic.DeadLetterV1);
    expect({
      undeclared: [...named].filter((t) => !declared.has(t)).sort(),
      unused: [...declared].filter((t) => !named.has(t)).sort(),
    }).toEqual({
      undeclared: [],
      unused: [],
    });
  });
});
