export * from './lib/typeorm-options';
export * from './lib/returning';
