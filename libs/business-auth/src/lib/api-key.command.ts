import { IDENTIFIER } from '@wt/contracts';
import { Command, InvalidArgumentError } from 'commander';
import { type DataSource } from 'typeorm';
import { type ApiKeyScope, ApiKeyStore } from './api-key.store';

export interface ApiKeyCommandOptions {
  /** The service's database (not initialized): the command applies its migrations first, then closes it. */
  dataSource: () => DataSource;
  /** Scopes of a business key where the service checks scopes (ingest: `consent:write`); none elsewhere. */
  businessScopes?: readonly ApiKeyScope[];
  /** Whether the service takes producer keys (ingest): adds `issue-producer <source>`. */
  producers?: boolean;
  /** What a business key opens, for the help. */
  businessKeyFor: string;
}

function identifier(value: string): string {
  if (!IDENTIFIER.test(value)) throw new InvalidArgumentError('letters, digits and ._:@/- only, starting with a letter or digit');
  return value;
}

/**
 * `api-key issue <businessId> [label]`, `api-key issue-producer <source> [label]` (where the
 * service takes producer keys) and `api-key revoke <keyId>`: the same command in every service with
 * a business API. An issued key is printed once as JSON (only its hash is stored); a revoked key
 * stops working at once (exit code 1 when there was no such active key).
 */
export function apiKeyCommand(options: ApiKeyCommandOptions): Command {
  const withKeys = async (work: (keys: ApiKeyStore) => Promise<object>): Promise<void> => {
    const dataSource = options.dataSource();
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(`${JSON.stringify(await work(new ApiKeyStore(dataSource)))}\n`);
    } finally {
      await dataSource.destroy();
    }
  };
  const command = new Command('api-key').description("issue and revoke business API keys (DATABASE_URL: the service's database)");
  const sub = (nameAndArgs: string, description: string) =>
    command.command(nameAndArgs).description(description).exitOverride().showHelpAfterError();
  sub('issue', `a key of a business: ${options.businessKeyFor}`)
    .argument('<businessId>', 'the business (created if new)', identifier)
    .argument('[label]', 'a note to tell keys apart')
    .action((businessId: string, label: string | undefined) => withKeys((keys) => keys.issue(businessId, label, options.businessScopes)));
  if (options.producers) {
    sub('issue-producer', 'a producer key: engagement:write for the events of one source only')
      .argument('<source>', 'the engagement source (facebook, instagram, a partner)', identifier)
      .argument('[label]', 'a note to tell keys apart')
      .action((source: string, label: string | undefined) => withKeys((keys) => keys.issueProducer(source, label)));
  }
  sub('revoke', 'the key stops working at once')
    .argument('<keyId>', 'the id printed when the key was issued')
    .action((keyId: string) =>
      withKeys(async (keys) => {
        const revoked = await keys.revoke(keyId);
        if (!revoked) process.exitCode = 1;
        return { keyId, revoked };
      }),
    );
  return command.exitOverride();
}
