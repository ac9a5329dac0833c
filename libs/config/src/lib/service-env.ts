import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
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

  /** Prefix of consumer group ids, so several environments can share one cluster. */
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]*$/)
  KAFKA_GROUP_PREFIX: string = 'wt';
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
