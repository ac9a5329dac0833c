export * from './lib/postgres-key-vault';
export * from './lib/vault.module';
export * from './lib/migrations/1764806400000-person-keys';
export * from './lib/postgres-person-identifiers';
export * from './lib/migrations/1765411200000-person-identifiers';
