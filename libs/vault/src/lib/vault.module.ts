import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type KeyVaultEnv } from '@wt/config';
import { postgresOptions } from '@wt/database';
import { ContactSealer, KeyEncryptionKeys } from '@wt/identity';
import { ReadinessRegistry } from '@wt/observability';
import { DataSource } from 'typeorm';
import { PersonKeys1764806400000 } from './migrations/1764806400000-person-keys';
import { PersonIdentifiers1765411200000 } from './migrations/1765411200000-person-identifiers';
import { PostgresKeyVault } from './postgres-key-vault';
import { PostgresPersonIdentifiers } from './postgres-person-identifiers';

export const VAULT_MIGRATIONS = [PersonKeys1764806400000, PersonIdentifiers1765411200000];

const VAULT_DATA_SOURCE = Symbol('VAULT_DATA_SOURCE');
/** Advisory lock taken while migrating, so services booting together do not race. */
const MIGRATION_LOCK = 7_140_031_001;

/** The vault's own DataSource (not the service's): `migrate` runs its migrations under a lock. */
export function vaultDataSource(config: KeyVaultEnv, applicationName: string): DataSource {
  return new DataSource(
    postgresOptions({
      url: config.VAULT_DATABASE_URL,
      entities: [],
      migrations: VAULT_MIGRATIONS,
      runMigrations: false,
      applicationName: `${applicationName}-vault`,
      poolSize: 4,
    }),
  );
}

export async function migrateVault(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

export function keyVaultOf(dataSource: DataSource, config: KeyVaultEnv): PostgresKeyVault {
  return new PostgresKeyVault(dataSource, new KeyEncryptionKeys(config.VAULT_KEK, config.VAULT_KEK_PREVIOUS));
}

export function contactSealerOf(vault: PostgresKeyVault, config: KeyVaultEnv): ContactSealer {
  return new ContactSealer(vault, {
    legacyKey: config.CONTACT_KEY,
    cacheTtlMs: config.VAULT_CACHE_TTL_MS,
    cacheMax: config.VAULT_CACHE_MAX,
  });
}

class VaultLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KeyVault');

  constructor(
    @Inject(VAULT_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly migrate: boolean,
    readiness: ReadinessRegistry | undefined,
  ) {
    readiness?.register('key-vault', async () => {
      try {
        await this.dataSource.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    });
  }

  async onModuleInit(): Promise<void> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    if (this.migrate) {
      await migrateVault(this.dataSource);
      this.logger.log('key vault schema up to date');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Per-person keys for a service: provides `ContactSealer` (seal and open phone numbers and BSUIDs),
 * `PostgresKeyVault` (erasure, KEK rotation) and `PostgresPersonIdentifiers` (which person a BSUID
 * belongs to) over the vault database.
 */
@Module({})
export class VaultModule {
  static forRoot(config: KeyVaultEnv, applicationName: string): DynamicModule {
    return {
      module: VaultModule,
      global: true,
      providers: [
        { provide: VAULT_DATA_SOURCE, useFactory: () => vaultDataSource(config, applicationName) },
        { provide: PostgresKeyVault, inject: [VAULT_DATA_SOURCE], useFactory: (ds: DataSource) => keyVaultOf(ds, config) },
        { provide: ContactSealer, inject: [PostgresKeyVault], useFactory: (vault: PostgresKeyVault) => contactSealerOf(vault, config) },
        {
          provide: PostgresPersonIdentifiers,
          inject: [VAULT_DATA_SOURCE],
          useFactory: (ds: DataSource) => new PostgresPersonIdentifiers(ds),
        },
        {
          provide: VaultLifecycle,
          inject: [VAULT_DATA_SOURCE, { token: ReadinessRegistry, optional: true }],
          useFactory: (ds: DataSource, readiness?: ReadinessRegistry) =>
            new VaultLifecycle(ds, config.VAULT_MIGRATIONS_RUN === 'true', readiness),
        },
      ],
      exports: [PostgresKeyVault, ContactSealer, PostgresPersonIdentifiers],
    };
  }
}
