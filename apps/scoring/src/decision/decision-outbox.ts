import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type TargetingDecisionV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import { Counter, register } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';

const relayedTotal =
  (register.getSingleMetric('wt_decision_outbox_relayed_total') as Counter | undefined) ??
  new Counter({
    name: 'wt_decision_outbox_relayed_total',
    help: 'Decision records published by the outbox relay: stored, but not published right after the commit',
  });

/** A row waits this long for the publish after its commit before the relay takes it. */
export const RELAY_AFTER_MS = 5_000;
const RELAY_EVERY_MS = 2_000;
const RELAY_BATCH = 100;

export type DecisionRecord = OutgoingRecord<TargetingDecisionV1>;

/**
 * The transactional outbox of decisions. A decision is acted on (the dispatcher sends) as soon as
 * it is on the topic, so it must be published only if its transaction commits: published before a
 * commit that then failed, it would be a send that no budget, cap or later decision knows of, and
 * the retry could decide otherwise. So the engine writes the records here in its transaction,
 * publishes them after the commit and deletes the row; if it cannot (the broker is down, the
 * process dies), the relay publishes the row a few seconds later. At least once: a record may come
 * twice, with the same decision id, which the dispatcher sends once.
 */
@Injectable()
export class DecisionOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DecisionOutbox.name);
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** In the deciding transaction: the records to publish once it commits. */
  async add(manager: EntityManager, records: readonly DecisionRecord[]): Promise<string> {
    const rows: { id: string }[] = await manager.query(`INSERT INTO decision_outbox (records) VALUES ($1::jsonb) RETURNING id`, [
      JSON.stringify(records),
    ]);
    const [row] = rows;
    if (!row) throw new Error('decision_outbox: the insert returned no id');
    return row.id;
  }

  /** After the commit: publishes the row's records and deletes it (the relay's job if this fails). */
  async publish(id: string, records: DecisionRecord[]): Promise<void> {
    await this.publisher.publish(Topic.TargetingDecisionsV1, records);
    await this.dataSource.query(`DELETE FROM decision_outbox WHERE id = $1`, [id]);
  }

  /** Publishes and deletes the rows older than `RELAY_AFTER_MS`, oldest first; returns the records published. */
  async relay(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // SKIP LOCKED: replicas share the work, and a row the engine is deleting is left to it.
      const rows: { id: string; records: DecisionRecord[] }[] = await runner.query(
        `SELECT id, records FROM decision_outbox WHERE created_at < now() - make_interval(secs => $1)
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [RELAY_AFTER_MS / 1000, RELAY_BATCH],
      );
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      const records = rows.flatMap((r) => r.records);
      await this.publisher.publish(Topic.TargetingDecisionsV1, records);
      await runner.query(`DELETE FROM decision_outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      await runner.commitTransaction();
      relayedTotal.inc(records.length);
      return records.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.relaying) return;
      this.relaying = this.relay()
        .then((n) => n > 0 && this.logger.warn(`relayed ${n} decision records their engine did not publish after its commit`))
        .catch((error: unknown) => this.logger.error(`decision outbox relay: ${String(error)}`))
        .finally(() => (this.relaying = undefined));
    }, RELAY_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }
}
