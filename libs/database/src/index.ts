export * from './lib/typeorm-options';
export * from './lib/returning';
export * from './lib/schema-drift';
export * from './lib/batch-purge';
export * from './lib/retention-job';
export * from './lib/interval-task';
export * from './lib/transactional-outbox';
