import { type FactoryProvider, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type Type } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type BatchPurgeResult, purgeInBatches } from './batch-purge';
import { IntervalTask } from './interval-task';

/** One table's retention: which rows are past it, as of a run. */
export interface RetentionRule {
  /** Short name for logs, e.g. `dispatch`. */
  name: string;
  table: string;
  /** SQL condition with `$2...` parameters (see purgeInBatches). */
  where: string;
  params: () => unknown[];
}

export interface RetentionJobOptions {
  /** How often each replica runs the rules (0: never; an operator runs `runOnce`). */
  intervalSeconds: number;
  batchSize: number;
  /** Lock names are `<service>.retention.<rule>`. */
  service: string;
}

/**
 * Runs retention rules on a timer in every replica; a transaction-scoped advisory lock per batch
 * (see purgeInBatches) lets one replica at a time purge a table. The first run is one interval
 * after boot, so that a restart storm does not purge.
 */
export class RetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RetentionJob');
  private readonly interval = new IntervalTask('retention purge', () => this.runAndLog(), this.logger);

  constructor(
    private readonly dataSource: DataSource,
    readonly rules: readonly RetentionRule[],
    private readonly options: RetentionJobOptions,
  ) {}

  /** Every rule once, in batches, until nothing is past retention. */
  async runOnce(): Promise<Record<string, BatchPurgeResult>> {
    const results: Record<string, BatchPurgeResult> = {};
    for (const rule of this.rules) {
      results[rule.name] = await purgeInBatches(this.dataSource, {
        table: rule.table,
        where: rule.where,
        params: rule.params(),
        batchSize: this.options.batchSize,
        lockName: `${this.options.service}.retention.${rule.name}`,
      });
    }
    return results;
  }

  onApplicationBootstrap(): void {
    // One-shot modes (migrate) do their own work.
    if (process.env['WT_RUN_MODE'] || this.options.intervalSeconds === 0) return;
    this.interval.start(this.options.intervalSeconds * 1000);
  }

  private async runAndLog(): Promise<void> {
    for (const [name, result] of Object.entries(await this.runOnce()))
      if (result.rows > 0) this.logger.log(`retention: ${result.rows} ${name} rows purged in ${result.seconds.toFixed(1)} s`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.interval.stop();
  }
}

/** The settings a service's retention purge reads from its configuration. */
export interface RetentionPurgeSettings {
  /** How often each replica runs the purge (one replica at a time); 0: never. */
  RETENTION_PURGE_INTERVAL_SECONDS: number;
  /** Rows deleted per purge transaction. */
  RETENTION_PURGE_BATCH: number;
}

/**
 * A service's RetentionJob as a Nest provider: its rules read from the service's configuration
 * class (injected), run every RETENTION_PURGE_INTERVAL_SECONDS in batches of RETENTION_PURGE_BATCH,
 * its locks named after `service`.
 */
export function retentionJobProvider<C extends RetentionPurgeSettings>(
  configClass: Type<C>,
  service: string,
  rulesOf: (config: C) => RetentionRule[],
): FactoryProvider<RetentionJob> {
  return {
    provide: RetentionJob,
    useFactory: (dataSource: DataSource, config: C) =>
      new RetentionJob(dataSource, rulesOf(config), {
        intervalSeconds: config.RETENTION_PURGE_INTERVAL_SECONDS,
        batchSize: config.RETENTION_PURGE_BATCH,
        service,
      }),
    inject: [DataSource, configClass],
  };
}
