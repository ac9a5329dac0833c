export * from './lib/typeorm-options';
export * from './lib/returning';
export * from './lib/schema-drift';
