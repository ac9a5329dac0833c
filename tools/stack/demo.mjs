#!/usr/bin/env node
// `npm run demo`: installs if needed, brings up the stack and every service, pushes a synthetic
// population through the platform, prints the funnel, and stops what it started.
import path from 'node:path';
import { ROOT, run } from './bootstrap.mjs';
import { stackDown, stackUp } from './stack.mjs';

const up = await stackUp({ profile: 'dev', services: true });
let code = 0;
try {
  run(process.execPath, [path.join(ROOT, 'dist/tools/cli/src/main.js'), 'demo'], {
    env: {
      KAFKA_BROKERS: up.brokers,
      PROFILES_DATABASE_URL: up.databaseUrls[up.settings.databases.profiles],
      DEMO_SERVICE_URLS: JSON.stringify({
        ingest: up.settings.urls.ingest,
        profiles: up.settings.urls.profiles,
        scoring: up.settings.urls.scoring,
        dispatcher: up.settings.urls.dispatcher,
        sandbox: up.settings.urls['whatsapp-sandbox'],
      }),
    },
  });
} catch (error) {
  console.error(error.message);
  code = 1;
} finally {
  console.log('\nStopping what the demo started...');
  await stackDown({ profile: 'dev', services: up.startedServices, broker: up.brokerStartedByUs });
}
process.exit(code);
