import { type ApiKeyScope, ApiKeyStore } from '@wt/business-auth';
import { DatabaseEnv, loadConfig } from '@wt/config';
import { IDENTIFIER } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { DataSource } from 'typeorm';
import { INGEST_MIGRATIONS } from '../migrations';

export const API_KEY_USAGE = `usage: node dist/apps/ingest/src/main.js api-key issue <businessId> [label]          (consent:write for that business)
       node dist/apps/ingest/src/main.js api-key issue-producer <source> [label]   (engagement:write for that source)
       node dist/apps/ingest/src/main.js api-key revoke <keyId>
  (DATABASE_URL: ingest's database; migrations are applied first)`;

const BUSINESS_SCOPES: ApiKeyScope[] = ['consent:write'];

/**
 * `api-key issue <businessId>`: a business key for `POST /v1/consents` of that business.
 * `api-key issue-producer <source>`: a producer key for `POST /v1/engagement-events` of that
 * source (`facebook`, `instagram`, a partner). Each prints the key once (only its hash is stored).
 * `api-key revoke <keyId>`: the key stops working at once. Same command as scoring's.
 */
export async function apiKeyCommand(args: string[]): Promise<number> {
  const [action, subject, label] = args;
  const issuing = action === 'issue' || action === 'issue-producer';
  if (!subject || (!issuing && action !== 'revoke') || (issuing && !IDENTIFIER.test(subject))) {
    process.stderr.write(`${API_KEY_USAGE}\n`);
    return 2;
  }
  // Only the database's variables: the operator needs no pseudonym secret or vault key to issue a key.
  const config = loadConfig(DatabaseEnv);
  const dataSource = new DataSource(
    postgresOptions({
      url: config.DATABASE_URL,
      entities: [],
      migrations: INGEST_MIGRATIONS,
      runMigrations: false,
      applicationName: 'ingest-cli',
    }),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const keys = new ApiKeyStore(dataSource);
    if (action === 'issue') {
      process.stdout.write(`${JSON.stringify(await keys.issue(subject, label, BUSINESS_SCOPES))}\n`);
      return 0;
    }
    if (action === 'issue-producer') {
      process.stdout.write(`${JSON.stringify(await keys.issueProducer(subject, label))}\n`);
      return 0;
    }
    const revoked = await keys.revoke(subject);
    process.stdout.write(`${JSON.stringify({ keyId: subject, revoked })}\n`);
    return revoked ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}
