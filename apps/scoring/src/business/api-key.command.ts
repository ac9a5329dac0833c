import { loadConfig } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { IDENTIFIER } from '@wt/contracts';
import { DataSource } from 'typeorm';
import { SCORING_ENTITIES, SCORING_MIGRATIONS } from '../app.module';
import { ScoringConfig } from '../scoring.config';
import { ApiKeyStore } from '@wt/business-auth';

export const API_KEY_USAGE = `usage: node dist/apps/scoring/src/main.js api-key issue <businessId> [label]
       node dist/apps/scoring/src/main.js api-key revoke <keyId>
  (DATABASE_URL: scoring's database; migrations are applied first)`;

/**
 * `api-key issue <businessId>`: creates the business if needed and prints a new API key once
 * (only its hash is stored). `api-key revoke <keyId>`: the key stops working at once.
 */
export async function apiKeyCommand(args: string[]): Promise<number> {
  const [action, subject, label] = args;
  if (!subject || (action !== 'issue' && action !== 'revoke') || (action === 'issue' && !IDENTIFIER.test(subject))) {
    process.stderr.write(`${API_KEY_USAGE}\n`);
    return 2;
  }
  const config = loadConfig(ScoringConfig);
  const dataSource = new DataSource(
    postgresOptions({
      url: config.DATABASE_URL,
      entities: SCORING_ENTITIES,
      migrations: SCORING_MIGRATIONS,
      runMigrations: false,
      applicationName: 'scoring-cli',
    }),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const keys = new ApiKeyStore(dataSource);
    if (action === 'issue') {
      process.stdout.write(`${JSON.stringify(await keys.issue(subject, label))}\n`);
      return 0;
    }
    const revoked = await keys.revoke(subject);
    process.stdout.write(`${JSON.stringify({ keyId: subject, revoked })}\n`);
    return revoked ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}
