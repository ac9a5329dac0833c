#!/usr/bin/env node
// `npm run demo`: installs if needed, brings up the stack and every service, pushes a synthetic
// population through the platform, prints the funnel, and stops what it started.
// `DEMO_KEEP=1 npm run demo` leaves the stack and the services running after the funnel, to curl
// their /metrics and /health/ready at leisure; `npm run down` stops them.
import path from 'node:path';
import { ROOT, run } from './bootstrap.mjs';
import { stackDown, stackUp } from './stack.mjs';

const keep = ['1', 'true'].includes(process.env.DEMO_KEEP ?? '');
const up = await stackUp({ profile: 'dev', services: true });
const urls = up.settings.urls;

console.log('\nWhile the demo runs, every service answers (health, Prometheus figures, OpenAPI):');
for (const name of ['ingest', 'profiles', 'scoring', 'dispatcher', 'assistant']) {
  console.log(`  curl -s ${urls[name]}/health/ready; curl -s ${urls[name]}/metrics | grep '^wt_'    # ${name}, docs at ${urls[name]}/docs`);
}
console.log(
  `  curl -s ${urls['whatsapp-sandbox']}/metrics | grep '^wt_'    # whatsapp-sandbox (sends by Graph error code), docs at ${urls['whatsapp-sandbox']}/docs\n`,
);

let code = 0;
try {
  run(process.execPath, [path.join(ROOT, 'dist/tools/cli/src/main.js'), 'demo'], {
    env: {
      KAFKA_BROKERS: up.brokers,
      PROFILES_DATABASE_URL: up.databaseUrls[up.settings.databases.profiles],
      DEMO_SERVICE_URLS: JSON.stringify({
        ingest: urls.ingest,
        profiles: urls.profiles,
        scoring: urls.scoring,
        dispatcher: urls.dispatcher,
        sandbox: urls['whatsapp-sandbox'],
      }),
    },
  });
} catch (error) {
  console.error(/** @type {Error} */ (error).message);
  code = 1;
} finally {
  if (keep) {
    const slot = process.env.WT_STACK_SLOT ? `WT_STACK_SLOT=${process.env.WT_STACK_SLOT} ` : '';
    console.log(`\nDEMO_KEEP: the stack and the services keep running (curl them as above); stop them with \`${slot}npm run down\`.`);
  } else {
    console.log('\nStopping what the demo started...');
    await stackDown({ profile: 'dev', services: up.startedServices, broker: up.brokerStartedByUs });
  }
}
process.exit(code);
