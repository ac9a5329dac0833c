import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS, CONSUMERS, DB_SERVICES, DEV_ONLY_APPS, discoverApps, PORTS, SERVICES, stackServices } from './lib/services';
import { fromRoot } from './lib/workspace';

describe('the list of services the operations checks derive from apps/', () => {
  it('finds every type:app project, and the dev-only sandbox among them', () => {
    expect(APPS.length).toBeGreaterThanOrEqual(6);
    for (const devOnly of DEV_ONLY_APPS) expect(APPS).toContain(devOnly);
    expect(SERVICES).toEqual(APPS.filter((a) => !DEV_ONLY_APPS.includes(a)));
    // The sandbox consumes nothing and owns no database: it is special only in being dev-only.
    expect(CONSUMERS.has('whatsapp-sandbox')).toBe(false);
    expect(DB_SERVICES).not.toContain('whatsapp-sandbox');
  });

  it('agrees with the local stack (tools/stack/services.mjs): same services, same database owners', () => {
    const stack = stackServices();
    expect(stack.map((s) => s.name).sort()).toEqual(APPS);
    expect(
      stack
        .filter((s) => s.db)
        .map((s) => s.name)
        .sort(),
    ).toEqual(DB_SERVICES);
  });

  it("agrees with each app's default PORT (apps/<app>/src/*.config.ts)", () => {
    for (const app of APPS) {
      const src = fromRoot('apps', app, 'src');
      const configs = readdirSync(src)
        .filter((f) => f.endsWith('.config.ts'))
        .map((f) => readFileSync(join(src, f), 'utf8'));
      const ports = configs.map((text) => /override PORT: number = (\d+);/.exec(text)?.[1]).filter(Boolean);
      expect({ app, ports: ports.map(Number) }).toEqual({ app, ports: [PORTS.get(app)] });
    }
  });

  describe('discoverApps', () => {
    let root: string;
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'wt-ops-apps-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('picks up a new app with its database and consumed topics, and skips non-app projects and tests', () => {
      write('apps/newcomer/project.json', JSON.stringify({ tags: ['scope:newcomer', 'type:app'] }));
      write('apps/newcomer/src/migrations/index.ts', 'export const M = [];');
      write('apps/newcomer/src/a.consumer.ts', '@EventPattern(Topic.ConsentV1)\n@EventPattern( Topic.CampaignsV1 )');
      write('apps/newcomer/src/b.consumers.ts', 'export const C = topicConsumer(\n  Topic.PrivacyRequestsV1,\n  Intake,');
      write('apps/newcomer/src/a.consumer.spec.ts', '@EventPattern(Topic.WhatsappInboundV1)');
      write('apps/e2e-helpers/project.json', JSON.stringify({ tags: ['type:tool'] }));
      write('apps/notes/README.md', 'not a project');
      expect(discoverApps(root)).toEqual([
        { name: 'newcomer', ownsDatabase: true, consumes: ['campaigns.v1', 'consent.v1', 'privacy.requests.v1'] },
      ]);
    });

    it('refuses a handler on a topic the contracts do not define', () => {
      write('apps/typo/project.json', JSON.stringify({ tags: ['type:app'] }));
      write('apps/typo/src/x.ts', '@EventPattern(Topic.NoSuchTopicV1)');
      expect(() => discoverApps(root)).toThrow(/Topic\.NoSuchTopicV1 is not in the contracts/);
    });
  });
});
