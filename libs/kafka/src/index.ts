export * from './lib/dead-letter';
export * from './lib/kafka-batch.server';
export * from './lib/kafka-connection';
export * from './lib/kafka-metrics';
export * from './lib/kafka-publisher';
export * from './lib/kafka.module';
export * from './lib/record-batch';
export * from './lib/topic-admin';
