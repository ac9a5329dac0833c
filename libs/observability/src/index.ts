export * from './lib/logger';
export * from './lib/observability.module';
export * from './lib/readiness';
export * from './lib/metrics';
export * from './lib/trace-fields';
export * from './lib/tracing';
