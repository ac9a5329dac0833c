import { IDENTIFIER } from '@wt/contracts';
import { postgresOptions } from '@wt/database';
import { DataSource } from 'typeorm';
import { type AssistantConfig } from '../assistant.config';
import { ApiKeyStore } from '@wt/business-auth';
import { ASSISTANT_MIGRATIONS } from '../migrations';

/** Issues an API key for a business from the command line (whoever runs it can reach the database). */
export async function issueKey(config: AssistantConfig, businessId: string | undefined, label?: string): Promise<void> {
  if (!businessId || !IDENTIFIER.test(businessId))
    throw new Error('usage: issue-key <businessId> [label]  (businessId: letters, digits, ._:@/-)');
  const dataSource = new DataSource(
    postgresOptions({
      url: config.DATABASE_URL,
      entities: [],
      migrations: ASSISTANT_MIGRATIONS,
      runMigrations: false,
      applicationName: 'assistant-cli',
    }),
  );
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const issued = await new ApiKeyStore(dataSource).issue(businessId, label);
    process.stdout.write(`${JSON.stringify(issued)}\n`);
  } finally {
    await dataSource.destroy();
  }
}
