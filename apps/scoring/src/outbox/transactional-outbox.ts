import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Topic, type TopicPayload } from '@wt/contracts';
import { IntervalTask, returnedRows } from '@wt/database';
import { type KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import { counter } from '@wt/observability';
import { type Counter } from 'prom-client';
import { type DataSource, type EntityManager } from 'typeorm';

/** A row waits this long for the publish after its commit before the relay takes it. */
export const RELAY_AFTER_MS = 5_000;
const RELAY_EVERY_MS = 2_000;
const RELAY_BATCH = 100;
/**
 * The lease of a row being published: its publisher holds the row's lock in a transaction that
 * Postgres ends after this long idle (the lock goes with it, and another replica's relay may take
 * the row), and the publisher checks, right before the publish, that the lease has not run out.
 * Longer than any publish (the producer's retries while a broker fails over), so a live publisher
 * never loses a row it is publishing; a frozen one wakes to find it gone, and publishes nothing.
 */
export const PUBLISH_LEASE_MS = 60_000;
/** Taken off the lease for the time between the check and the request leaving. */
const LEASE_MARGIN_MS = 1_000;

/** Thrown when a publisher's lease ran out before its publish: nothing was published. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

export interface OutboxOptions<T extends Topic> {
  /** The table: `(id bigserial, created_at timestamptz, records jsonb)`, plus `key text` when `perKeyOrder`. */
  table: string;
  topic: T;
  /** What the rows hold, for logs: `decision`, `campaign`. */
  name: string;
  /** `wt_<name>_outbox_relayed_total`: counts the records the relay published (not published right after their commit). */
  relayedMetric: string;
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
 *
 * Fenced: whoever publishes a row (the writer after its commit, or a relay) first takes it, in the
 * statement that locks it (SKIP LOCKED: a row taken by another is theirs), under a lease
 * (PUBLISH_LEASE_MS), checked again right before the publish. A writer that froze between its
 * commit and its publish, or mid-publish past the lease, finds the row gone or its lease lost, and
 * publishes nothing: the row was, or will be, published once by whoever holds it.
 */
export abstract class TransactionalOutbox<T extends Topic> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly relayTask: IntervalTask;
  private readonly relayedTotal: Counter;

  protected constructor(
    protected readonly dataSource: DataSource,
    protected readonly publisher: KafkaPublisher,
    private readonly options: OutboxOptions<T>,
  ) {
    const title = `${options.name[0]?.toUpperCase() ?? ''}${options.name.slice(1)}`;
    this.logger = new Logger(`${title}Outbox`);
    this.relayedTotal = counter({
      name: options.relayedMetric,
      help: `${title} records published by the outbox relay: stored, but not published right after the commit`,
    });
    this.relayTask = new IntervalTask(`${options.name} outbox relay`, () => this.relayAndLog(), this.logger);
  }

  /** The outbox's table (a writer may add its row in a statement of its own, as `add` would). */
  get table(): string {
    return this.options.table;
  }

  /** In the writing transaction: the records to publish once it commits (with `perKeyOrder`, all of one key). */
  async add(manager: EntityManager, records: readonly OutgoingRecord<TopicPayload<T>>[]): Promise<string> {
    const { table, perKeyOrder } = this.options;
    // A record's `valueJson` is its value again: the row keeps the value only.
    const stored = records.some((r) => r.valueJson !== undefined) ? records.map(({ valueJson: _json, ...r }) => r) : records;
    const rows: { id: string }[] = perKeyOrder
      ? await manager.query(`INSERT INTO ${table} (key, records) VALUES ($1, $2::jsonb) RETURNING id`, [
          this.keyOf(records),
          JSON.stringify(stored),
        ])
      : await manager.query(`INSERT INTO ${table} (records) VALUES ($1::jsonb) RETURNING id`, [JSON.stringify(stored)]);
    const [row] = rows;
    if (!row) throw new Error(`${table}: the insert returned no id`);
    return row.id;
  }

  /**
   * After the commit: takes the row (unless a relay has, or already published it), publishes its
   * records and deletes it; the relay's job if this fails. Returns whether this call published.
   * `records` are the ones `add` wrote in the row: without per-key order they are published from
   * memory, the row taken and deleted in one statement (its deletion commits only after the
   * publish: a failed publish rolls it back for the relay).
   */
  async publish(id: string, records: OutgoingRecord<TopicPayload<T>>[]): Promise<boolean> {
    const { table, topic, perKeyOrder } = this.options;
    return this.leased(async (manager, fence) => {
      if (!perKeyOrder) {
        // This row, unless another holds it (SKIP LOCKED), locked by its deletion until the commit.
        const taken = returnedRows<{ id: string }>(
          await manager.query(
            `DELETE FROM ${table} WHERE id = (SELECT id FROM ${table} WHERE id = $1 FOR UPDATE SKIP LOCKED) RETURNING id`,
            [id],
          ),
        );
        if (taken.length === 0) return false; // published already, or being published by a relay
        fence();
        await this.publisher.publish(topic, records);
        return true;
      }
      // With per-key order: this row and the older ones of its key, locked in order (waiting for a
      // relay that holds them, which then publishes them first), published oldest first.
      const rows: { id: string; records: OutgoingRecord<TopicPayload<T>>[] }[] = await manager.query(
        `SELECT id, records FROM ${table} WHERE key = $1 AND id <= $2 ORDER BY id FOR UPDATE`,
        [this.keyOf(records), id],
      );
      if (rows.length === 0) return false; // published already, or being published by a relay
      fence();
      await this.publisher.publish(
        topic,
        rows.flatMap((r) => r.records),
      );
      await manager.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return true;
    });
  }

  /**
   * Runs `work` in a transaction whose locks are a lease: Postgres ends the transaction after
   * PUBLISH_LEASE_MS idle, and `fence()` throws LeaseLost once the lease (less a margin) has run
   * out by this process's clock, so that a publisher that froze publishes nothing.
   */
  private async leased<R>(work: (manager: EntityManager, fence: () => void) => Promise<R>): Promise<R> {
    return this.dataSource.transaction(async (manager) => {
      const since = Date.now();
      await manager.query(`SET LOCAL idle_in_transaction_session_timeout = ${PUBLISH_LEASE_MS}`);
      const fence = () => {
        if (Date.now() - since > PUBLISH_LEASE_MS - LEASE_MARGIN_MS) {
          throw new LeaseLost(`${this.options.table}: the publish lease ran out (${Date.now() - since} ms): not published`);
        }
      };
      return work(manager, fence);
    });
  }

  /** Publishes and deletes the rows older than `RELAY_AFTER_MS`, oldest first; returns the records published. */
  async relay(): Promise<number> {
    const { table, topic, perKeyOrder } = this.options;
    const published = await this.leased(async (manager, fence) => {
      // SKIP LOCKED: replicas share the work, and a row being published after its commit is left
      // to its publisher. With per-key order, a row waits while an older row of its key is pending.
      const rows: { id: string; records: OutgoingRecord<TopicPayload<T>>[] }[] = await manager.query(
        `SELECT id, records FROM ${table} o WHERE created_at < now() - make_interval(secs => $1)
         ${perKeyOrder ? `AND NOT EXISTS (SELECT 1 FROM ${table} p WHERE p.key = o.key AND p.id < o.id)` : ''}
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [RELAY_AFTER_MS / 1000, RELAY_BATCH],
      );
      if (rows.length === 0) return 0;
      const records = rows.flatMap((r) => r.records);
      fence();
      await this.publisher.publish(topic, records);
      await manager.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return records.length;
    });
    if (published > 0) this.relayedTotal.inc(published);
    return published;
  }

  onApplicationBootstrap(): void {
    this.relayTask.start(RELAY_EVERY_MS);
  }

  private async relayAndLog(): Promise<void> {
    const n = await this.relay();
    if (n > 0) this.logger.warn(`relayed ${n} ${this.options.name} records not published right after their commit`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relayTask.stop();
  }

  private keyOf(records: readonly OutgoingRecord<TopicPayload<T>>[]): string {
    const key = records[0]?.key;
    if (typeof key !== 'string' || records.some((r) => r.key !== key)) {
      throw new Error(`${this.options.table}: a row holds records of one key`);
    }
    return key;
  }
}
