export * from './lib/run-service';
