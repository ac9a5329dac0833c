import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';

export interface KafkaConnectionOptions {
  /** `host:port` of bootstrap brokers. */
  brokers: string[];
  /** Identifies the service to the broker (quotas, logs). */
  clientId: string;
  /** kafkajs's own log level; `warn` unless set. */
  logLevel?: KafkaLogLevel;
}

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVEL_OF: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** A service's connection from its validated configuration (`KAFKA_BROKERS`, `KAFKA_LOG_LEVEL`). */
export function kafkaConnectionOf(
  config: { KAFKA_BROKERS: string[]; KAFKA_LOG_LEVEL: KafkaLogLevel },
  clientId: string,
): KafkaConnectionOptions {
  return { brokers: config.KAFKA_BROKERS, clientId, logLevel: config.KAFKA_LOG_LEVEL };
}

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs's own logs to the Nest logger (and so to the service's structured log). */
const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }) => {
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
    const method = LEVELS[level] ?? 'log';
    logger[method](`${message} ${JSON.stringify(extra)}`);
  };
};

export function createKafka(options: KafkaConnectionOptions, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: LOG_LEVEL_OF[options.logLevel ?? 'warn'],
    logCreator: nestLogCreator,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    // Reconnects at least every 5 s: after a broker outage, a client asleep in a long backoff
    // is what delays the pipeline's resume (seen: 10 s and more in the fault run).
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    ...overrides,
  });
}
