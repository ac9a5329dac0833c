export * from './lib/typeorm-options';
