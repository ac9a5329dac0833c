import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';
import { ListFromEnv } from './env-transforms';

/** Variables every service reads. A service's own configuration class extends this one. */
export class ServiceEnv {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** HTTP port for health, metrics and the service's API. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  /** Bootstrap brokers, comma-separated host:port. */
  @ListFromEnv()
  @Matches(/^[^\s:,]+:\d+$/, { each: true, message: 'KAFKA_BROKERS must be host:port[,host:port]' })
  KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

  /** kafkajs's own log level (its client, group and connection events); `info` shows joins and rebalances. */
  @IsIn(['error', 'warn', 'info', 'debug'])
  KAFKA_LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug' = 'warn';

  /** Prefix of consumer group ids, so several environments can share one cluster. */
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]*$/)
  KAFKA_GROUP_PREFIX: string = 'wt';

  /** How the service talks to the brokers: TLS, SASL, both, or neither (local stack). */
  @IsIn(['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'])
  KAFKA_SECURITY_PROTOCOL: 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl' = 'plaintext';

  /** SASL mechanism when KAFKA_SECURITY_PROTOCOL is sasl_*: SCRAM (Strimzi's KafkaUser `scram-sha-512`) or PLAIN. */
  @IsIn(['scram-sha-512', 'scram-sha-256', 'plain'])
  KAFKA_SASL_MECHANISM: 'scram-sha-512' | 'scram-sha-256' | 'plain' = 'scram-sha-512';

  /** SASL user (the service's KafkaUser); required with sasl_*. */
  @ValidateIf((env: ServiceEnv) => env.KAFKA_SECURITY_PROTOCOL.startsWith('sasl'))
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_USERNAME is required when KAFKA_SECURITY_PROTOCOL is sasl_plaintext or sasl_ssl' })
  KAFKA_SASL_USERNAME?: string;

  /** SASL password (from the KafkaUser's Secret); required with sasl_*. */
  @ValidateIf((env: ServiceEnv) => env.KAFKA_SECURITY_PROTOCOL.startsWith('sasl'))
  @IsString()
  @IsNotEmpty({ message: 'KAFKA_SASL_PASSWORD is required when KAFKA_SECURITY_PROTOCOL is sasl_plaintext or sasl_ssl' })
  KAFKA_SASL_PASSWORD?: string;

  /** PEM file of the CA that signed the brokers' certificates (Strimzi's cluster CA); the system CAs when unset. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string;

  /** PEM client certificate and key files, for mutual TLS (Strimzi's KafkaUser `tls`) instead of SASL. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CERT_FILE?: string;

  @ValidateIf((env: ServiceEnv) => env.KAFKA_SSL_CERT_FILE !== undefined)
  @IsString({ message: 'KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE' })
  KAFKA_SSL_KEY_FILE?: string;

  /**
   * OTLP/HTTP endpoint of a trace collector (Jaeger, Tempo, an OpenTelemetry Collector), e.g.
   * `http://jaeger:4318`: spans of HTTP, Kafka and Postgres go to `<endpoint>/v1/traces`. Unset: tracing off.
   */
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true } as never, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, e.g. http://jaeger:4318',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Share of new traces kept, 0 to 1 (a trace started upstream keeps its caller's decision). */
  @IsNumber({}, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1' })
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG: number = 1;
}

/** Added by services that own a Postgres database. */
export class DatabaseEnv extends ServiceEnv {
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_tld_: false } as never)
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** Run pending migrations at boot (local runs); in Kubernetes a Job runs them instead. */
  @IsOptional()
  @IsIn(['true', 'false'])
  DB_MIGRATIONS_RUN: 'true' | 'false' = 'true';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EnvClass = new (...args: any[]) => ServiceEnv;

/** The key vault's variables, as every service that seals or opens phone numbers reads them. */
export interface KeyVaultEnv {
  VAULT_DATABASE_URL: string;
  VAULT_KEK: string;
  VAULT_KEK_PREVIOUS: string[];
  VAULT_CACHE_TTL_MS: number;
  VAULT_CACHE_MAX: number;
  VAULT_MIGRATIONS_RUN: 'true' | 'false';
  CONTACT_KEY?: string;
}

/** Adds the key vault's variables (per-person keys that seal phone numbers) to a configuration class. */
export function withKeyVault<B extends EnvClass>(Base: B) {
  class WithKeyVault extends Base implements KeyVaultEnv {
    /** The key vault's database (per-person data keys, wrapped by VAULT_KEK). Same database for every service. */
    @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_tld_: false } as never)
    VAULT_DATABASE_URL: string;

    /** Key-encryption key: 32 random bytes, base64, wraps every person's data key. Same value in every service. */
    @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'VAULT_KEK must be 32 bytes, base64-encoded' })
    VAULT_KEK: string;

    /** Former key-encryption keys (comma-separated), kept only while a KEK rotation re-wraps the keys. */
    @ListFromEnv()
    @Matches(/^[A-Za-z0-9+/]{43}=$/, { each: true, message: 'VAULT_KEK_PREVIOUS must be 32-byte base64 keys, comma-separated' })
    VAULT_KEK_PREVIOUS: string[] = [];

    /** How long a person's key stays cached (ms); an erased key may still seal here that long (sends always ask the vault). */
    @IsInt()
    @Min(0)
    @Max(600_000)
    VAULT_CACHE_TTL_MS: number = 30_000;

    /** Most person keys cached per process. */
    @IsInt()
    @Min(1)
    VAULT_CACHE_MAX: number = 100_000;

    /** Create or update the vault's table at boot (local runs); in Kubernetes the profiles migration Job does it. */
    @IsOptional()
    @IsIn(['true', 'false'])
    VAULT_MIGRATIONS_RUN: 'true' | 'false' = 'true';

    /** Former platform key (32 bytes, base64): only opens numbers sealed before per-person keys (`v1.`); remove once none is left. */
    @IsOptional()
    @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONTACT_KEY must be 32 bytes, base64-encoded' })
    CONTACT_KEY?: string;
  }
  return WithKeyVault;
}
