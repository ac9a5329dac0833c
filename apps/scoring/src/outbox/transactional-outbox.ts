import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Topic, type TopicPayload } from '@wt/contracts';
import { type KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import { type Counter } from 'prom-client';
import { type DataSource, type EntityManager } from 'typeorm';

/** A row waits this long for the publish after its commit before the relay takes it. */
export const RELAY_AFTER_MS = 5_000;
const RELAY_EVERY_MS = 2_000;
const RELAY_BATCH = 100;

export interface OutboxOptions<T extends Topic> {
  /** The table: `(id bigserial, created_at timestamptz, records jsonb)`, plus `key text` when `perKeyOrder`. */
  table: string;
  topic: T;
  /** What the rows hold, for logs: `decision`, `campaign`. */
  name: string;
  relayedTotal: Counter;
  /**
   * Each row holds records of one key (its `key` column), and a key's rows are published in the
   * order they were written, whoever publishes them: on a compacted topic the last record of a key
   * is its state, so an older state published late (by the relay, after a failed publish) must
   * never land after a newer one.
   */
  perKeyOrder?: boolean;
}

/**
 * A transactional outbox of one topic. Records whose effect must exist only if a transaction
 * commits are written here in that transaction, published after the commit and then deleted; if
 * the publish fails (the broker is down, the process dies), the relay publishes the row a few
 * seconds later. At least once: a record may come twice, so its readers must be idempotent.
 */
export abstract class TransactionalOutbox<T extends Topic> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private relaying?: Promise<unknown>;

  protected constructor(
    protected readonly dataSource: DataSource,
    protected readonly publisher: KafkaPublisher,
    private readonly options: OutboxOptions<T>,
  ) {
    this.logger = new Logger(`${options.name[0]?.toUpperCase() ?? ''}${options.name.slice(1)}Outbox`);
  }

  /** In the writing transaction: the records to publish once it commits (with `perKeyOrder`, all of one key). */
  async add(manager: EntityManager, records: readonly OutgoingRecord<TopicPayload<T>>[]): Promise<string> {
    const { table, perKeyOrder } = this.options;
    const rows: { id: string }[] = perKeyOrder
      ? await manager.query(`INSERT INTO ${table} (key, records) VALUES ($1, $2::jsonb) RETURNING id`, [
          this.keyOf(records),
          JSON.stringify(records),
        ])
      : await manager.query(`INSERT INTO ${table} (records) VALUES ($1::jsonb) RETURNING id`, [JSON.stringify(records)]);
    const [row] = rows;
    if (!row) throw new Error(`${table}: the insert returned no id`);
    return row.id;
  }

  /** After the commit: publishes the row's records and deletes it (the relay's job if this fails). */
  async publish(id: string, records: OutgoingRecord<TopicPayload<T>>[]): Promise<void> {
    const { table, topic, perKeyOrder } = this.options;
    if (!perKeyOrder) {
      await this.publisher.publish(topic, records);
      await this.dataSource.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
      return;
    }
    // This row and the older ones of its key, locked in order (waiting for a relay that holds
    // them, which then publishes them first): published oldest first, then deleted.
    await this.dataSource.transaction(async (manager) => {
      const rows: { id: string; records: OutgoingRecord<TopicPayload<T>>[] }[] = await manager.query(
        `SELECT id, records FROM ${table} WHERE key = $1 AND id <= $2 ORDER BY id FOR UPDATE`,
        [this.keyOf(records), id],
      );
      if (rows.length === 0) return; // published already
      await this.publisher.publish(
        topic,
        rows.flatMap((r) => r.records),
      );
      await manager.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    });
  }

  /** Publishes and deletes the rows older than `RELAY_AFTER_MS`, oldest first; returns the records published. */
  async relay(): Promise<number> {
    const { table, topic, perKeyOrder } = this.options;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // SKIP LOCKED: replicas share the work, and a row being published after its commit is left
      // to its publisher. With per-key order, a row waits while an older row of its key is pending.
      const rows: { id: string; records: OutgoingRecord<TopicPayload<T>>[] }[] = await runner.query(
        `SELECT id, records FROM ${table} o WHERE created_at < now() - make_interval(secs => $1)
         ${perKeyOrder ? `AND NOT EXISTS (SELECT 1 FROM ${table} p WHERE p.key = o.key AND p.id < o.id)` : ''}
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [RELAY_AFTER_MS / 1000, RELAY_BATCH],
      );
      if (rows.length === 0) {
        await runner.commitTransaction();
        return 0;
      }
      const records = rows.flatMap((r) => r.records);
      await this.publisher.publish(topic, records);
      await runner.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      await runner.commitTransaction();
      this.options.relayedTotal.inc(records.length);
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
        .then((n) => n > 0 && this.logger.warn(`relayed ${n} ${this.options.name} records not published right after their commit`))
        .catch((error: unknown) => this.logger.error(`${this.options.name} outbox relay: ${String(error)}`))
        .finally(() => (this.relaying = undefined));
    }, RELAY_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }

  private keyOf(records: readonly OutgoingRecord<TopicPayload<T>>[]): string {
    const key = records[0]?.key;
    if (typeof key !== 'string' || records.some((r) => r.key !== key)) {
      throw new Error(`${this.options.table}: a row holds records of one key`);
    }
    return key;
  }
}
