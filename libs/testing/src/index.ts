export * from './lib/test-env';
export * from './lib/topic-probe';
export * from './lib/phone-numbers';
export * from './lib/child-process';
export * from './lib/http-fuzz';
export * from './lib/otlp-receiver';
export * from './lib/test-producer';
export * from './lib/offline-env';
