export * from './lib/logger';
export * from './lib/observability.module';
export * from './lib/readiness';
export * from './lib/metrics';
