export * from './lib/config.module';
export * from './lib/env-transforms';
export * from './lib/load-config';
export * from './lib/service-env';
export * from './lib/config-reference';
