import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { CLIENT_RETRY, CONNECTION_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './client-settings';

export interface KafkaConnectionOptions {
  /** `host:port` of bootstrap brokers. */
  brokers: string[];
  /** Identifies the service to the broker (quotas, logs). */
  clientId: string;
  /** kafkajs's own log level; `warn` unless set. */
  logLevel?: KafkaLogLevel;
  /** TLS to the brokers (`true`: the system CAs). */
  ssl?: boolean | ConnectionOptions;
  /** SASL authentication (SCRAM or PLAIN). */
  sasl?: SASLOptions;
}

/** The Kafka part of a service's validated configuration (libs/config ServiceEnv). */
export interface KafkaEnv {
  KAFKA_BROKERS: string[];
  KAFKA_LOG_LEVEL: KafkaLogLevel;
  KAFKA_SECURITY_PROTOCOL?: 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
  KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
}

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVEL_OF: Record<KafkaLogLevel, logLevel> = {
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * A service's connection from its validated configuration: brokers, log level, and TLS and SASL
 * as `KAFKA_SECURITY_PROTOCOL` says (certificate files are read once, here, at boot).
 */
export function kafkaConnectionOf(config: KafkaEnv, clientId: string): KafkaConnectionOptions {
  const protocol = config.KAFKA_SECURITY_PROTOCOL ?? 'plaintext';
  const connection: KafkaConnectionOptions = { brokers: config.KAFKA_BROKERS, clientId, logLevel: config.KAFKA_LOG_LEVEL };
  if (protocol === 'ssl' || protocol === 'sasl_ssl') {
    const files = {
      ...(config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : {}),
      ...(config.KAFKA_SSL_CERT_FILE ? { cert: readFileSync(config.KAFKA_SSL_CERT_FILE, 'utf8') } : {}),
      ...(config.KAFKA_SSL_KEY_FILE ? { key: readFileSync(config.KAFKA_SSL_KEY_FILE, 'utf8') } : {}),
    };
    connection.ssl = Object.keys(files).length > 0 ? files : true;
  }
  if (protocol === 'sasl_plaintext' || protocol === 'sasl_ssl') {
    const username = config.KAFKA_SASL_USERNAME ?? '';
    const password = config.KAFKA_SASL_PASSWORD ?? '';
    const mechanism = config.KAFKA_SASL_MECHANISM ?? 'scram-sha-512';
    connection.sasl = { mechanism, username, password };
  }
  return connection;
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
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    logLevel: LOG_LEVEL_OF[options.logLevel ?? 'warn'],
    logCreator: nestLogCreator,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Tries again at most 500 ms apart, for about 11 s (see CLIENT_RETRY): after a broker outage
    // or a failover, a client asleep in a long backoff is what delays the pipeline's resume (seen:
    // 10 s and more in the fault run with 5 s pauses).
    retry: { ...CLIENT_RETRY },
    ...overrides,
  });
}
