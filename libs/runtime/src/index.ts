export * from './lib/run-service';
export * from './lib/openapi';
