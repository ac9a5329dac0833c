export * from './lib/test-env';
export * from './lib/topic-probe';
