import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Topic, type TopicPayload } from '@wt/contracts';
import { type KafkaPublisher, type OutgoingRecord, type TopicRecords } from '@wt/kafka';
import { counter } from '@wt/observability';
import { type Counter } from 'prom-client';
import { type DataSource, type EntityManager } from 'typeorm';
import { IntervalTask } from './interval-task';
import { returnedRows } from './returning';

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

export interface OutboxOptions {
  /** The table: `(id bigserial, created_at timestamptz, records jsonb)`, plus `key text` when `perKeyOrder`. */
  table: string;
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
  /**
   * How old a row is before the relay takes it (RELAY_AFTER_MS unless given). With `publishClaimed`
   * it is also the writer's claim on its row, so it must outlast the publish after the commit.
   */
  relayAfterMs?: number;
}

/** A row `addClaimed` wrote: its id, and the writer's clock just before the insert (its claim counts from there). */
export interface OutboxClaim {
  id: string;
  writtenAt: number;
}

/**
 * A transactional outbox. Records whose effect must exist only if a transaction commits are
 * written here in that transaction (a row's content `C`: the records of one topic, or batches of
 * several), published after the commit and then deleted; if the publish fails (the broker is
 * down, the process dies), the relay publishes the row a few seconds later. At least once: a
 * record may come twice, so its readers must be idempotent.
 *
 * Fenced: whoever publishes a row (the writer after its commit, or a relay) first takes it, in the
 * statement that locks it (SKIP LOCKED: a row taken by another is theirs), under a lease
 * (PUBLISH_LEASE_MS), checked again right before the publish. A writer that froze between its
 * commit and its publish, or mid-publish past the lease, finds the row gone or its lease lost, and
 * publishes nothing: the row was, or will be, published once by whoever holds it.
 *
 * `publishClaimed` is the writer's publish that holds no database connection while Kafka answers
 * (many concurrent writers, each waiting out a broker's failover, would otherwise hold the pool):
 * the writer's claim on its row is the time until the relay may take it (`relayAfterMs` from the
 * insert), checked right before the publish; the row is deleted after it.
 */
export abstract class Outbox<C> implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly relayTask: IntervalTask;
  private readonly relayedTotal: Counter;
  private readonly relayAfterMs: number;

  protected constructor(
    protected readonly dataSource: DataSource,
    protected readonly publisher: KafkaPublisher,
    private readonly options: OutboxOptions,
  ) {
    const title = `${options.name[0]?.toUpperCase() ?? ''}${options.name.slice(1)}`;
    this.logger = new Logger(`${title}Outbox`);
    this.relayedTotal = counter({
      name: options.relayedMetric,
      help: `${title} records published by the outbox relay: stored, but not published right after the commit`,
    });
    this.relayTask = new IntervalTask(`${options.name} outbox relay`, () => this.relayAndLog(), this.logger);
    this.relayAfterMs = options.relayAfterMs ?? RELAY_AFTER_MS;
  }

  /** Publishes rows' contents, oldest first, in one call (it resolves once Kafka acknowledged all). */
  protected abstract send(contents: readonly C[]): Promise<void>;
  /** The records a content holds (the relay's metric). */
  protected abstract count(content: C): number;
  /** What the row stores of a content (as JSON). */
  protected abstract stored(content: C): unknown;
  /** The key of a content's records (with `perKeyOrder`, all of one key). */
  protected abstract keyOf(content: C): string;

  /** The outbox's table (a writer may add its row in a statement of its own, as `add` would). */
  get table(): string {
    return this.options.table;
  }

  /** In the writing transaction: the records to publish once it commits (with `perKeyOrder`, all of one key). */
  async add(manager: EntityManager, records: C): Promise<string> {
    const { table, perKeyOrder } = this.options;
    const stored = JSON.stringify(this.stored(records));
    const rows: { id: string }[] = perKeyOrder
      ? await manager.query(`INSERT INTO ${table} (key, records) VALUES ($1, $2::jsonb) RETURNING id`, [this.keyOf(records), stored])
      : await manager.query(`INSERT INTO ${table} (records) VALUES ($1::jsonb) RETURNING id`, [stored]);
    const [row] = rows;
    if (!row) throw new Error(`${table}: the insert returned no id`);
    return row.id;
  }

  /**
   * `add`, for `publishClaimed`: the writer's claim on the row counts from its clock read before
   * the insert. The table's `created_at` must then be the insert's time (`DEFAULT clock_timestamp()`),
   * not its transaction's start, so that the relay counts from no earlier.
   */
  async addClaimed(manager: EntityManager, records: C): Promise<OutboxClaim> {
    const writtenAt = Date.now();
    return { id: await this.add(manager, records), writtenAt };
  }

  /**
   * After the commit, holding no database connection while Kafka answers: publishes the records
   * `addClaimed` wrote, then deletes the row; returns false, publishing nothing, when the writer's
   * claim has run out (less a margin, for the clocks): the relay publishes the row. If the publish
   * fails it throws, and the row stays for the relay (once `relayAfterMs` old). A publish that
   * outlasts the claim may be repeated by the relay: `relayAfterMs` is set well above a publish.
   */
  async publishClaimed(claim: OutboxClaim, records: C): Promise<boolean> {
    const { table, perKeyOrder } = this.options;
    if (perKeyOrder) throw new Error(`${table}: publishClaimed cannot keep a key's order; use publish`);
    if (Date.now() - claim.writtenAt > this.relayAfterMs - LEASE_MARGIN_MS) return false;
    await this.send([records]);
    await this.dataSource.query(`DELETE FROM ${table} WHERE id = $1`, [claim.id]);
    return true;
  }

  /**
   * After the commit: takes the row (unless a relay has, or already published it), publishes its
   * records and deletes it; the relay's job if this fails. Returns whether this call published.
   * `records` are the ones `add` wrote in the row: without per-key order they are published from
   * memory, the row taken and deleted in one statement (its deletion commits only after the
   * publish: a failed publish rolls it back for the relay).
   */
  async publish(id: string, records: C): Promise<boolean> {
    const { table, perKeyOrder } = this.options;
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
        await this.send([records]);
        return true;
      }
      // With per-key order: this row and the older ones of its key, locked in order (waiting for a
      // relay that holds them, which then publishes them first), published oldest first.
      const rows: { id: string; records: C }[] = await manager.query(
        `SELECT id, records FROM ${table} WHERE key = $1 AND id <= $2 ORDER BY id FOR UPDATE`,
        [this.keyOf(records), id],
      );
      if (rows.length === 0) return false; // published already, or being published by a relay
      fence();
      await this.send(rows.map((r) => r.records));
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

  /** Publishes and deletes the rows older than `relayAfterMs`, oldest first; returns the records published. */
  async relay(): Promise<number> {
    const { table, perKeyOrder } = this.options;
    const published = await this.leased(async (manager, fence) => {
      // SKIP LOCKED: replicas share the work, and a row being published after its commit is left
      // to its publisher. With per-key order, a row waits while an older row of its key is pending.
      const rows: { id: string; records: C }[] = await manager.query(
        `SELECT id, records FROM ${table} o WHERE created_at < now() - make_interval(secs => $1)
         ${perKeyOrder ? `AND NOT EXISTS (SELECT 1 FROM ${table} p WHERE p.key = o.key AND p.id < o.id)` : ''}
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.relayAfterMs / 1000, RELAY_BATCH],
      );
      if (rows.length === 0) return 0;
      const contents = rows.map((r) => r.records);
      fence();
      await this.send(contents);
      await manager.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return contents.reduce((n, c) => n + this.count(c), 0);
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
}

/** The records without their `valueJson` (it is their value again: a row keeps the value only). */
function withoutJson<R extends { valueJson?: string }>(records: readonly R[]): readonly Omit<R, 'valueJson'>[] {
  return records.some((r) => r.valueJson !== undefined) ? records.map(({ valueJson: _json, ...r }) => r) : records;
}

/** Options of an outbox of one topic. */
export interface TopicOutboxOptions<T extends Topic> extends OutboxOptions {
  topic: T;
}

/** An outbox of one topic: a row holds records of `topic`. */
export abstract class TransactionalOutbox<T extends Topic> extends Outbox<OutgoingRecord<TopicPayload<T>>[]> {
  private readonly topic: T;

  protected constructor(dataSource: DataSource, publisher: KafkaPublisher, options: TopicOutboxOptions<T>) {
    super(dataSource, publisher, options);
    this.topic = options.topic;
  }

  protected send(contents: readonly OutgoingRecord<TopicPayload<T>>[][]): Promise<void> {
    return this.publisher.publish(this.topic, contents.flat());
  }

  protected count(records: OutgoingRecord<TopicPayload<T>>[]): number {
    return records.length;
  }

  protected stored(records: OutgoingRecord<TopicPayload<T>>[]): unknown {
    return withoutJson(records);
  }

  protected keyOf(records: OutgoingRecord<TopicPayload<T>>[]): string {
    const key = records[0]?.key;
    if (typeof key !== 'string' || records.some((r) => r.key !== key)) throw new Error(`${this.table}: a row holds records of one key`);
    return key;
  }
}

/** An outbox of several topics: a row holds batches of records, one per topic, published in one request. */
export abstract class BatchOutbox extends Outbox<TopicRecords[]> {
  protected send(contents: readonly TopicRecords[][]): Promise<void> {
    return this.publisher.publishAll(contents.flat());
  }

  protected count(batches: TopicRecords[]): number {
    return batches.reduce((n, b) => n + b.records.length, 0);
  }

  protected stored(batches: TopicRecords[]): unknown {
    return batches
      .filter((b) => b.records.length > 0)
      .map((b) => ({ topic: b.topic, records: withoutJson<OutgoingRecord<unknown>>(b.records) }));
  }

  protected keyOf(): string {
    throw new Error(`${this.table}: a row of several topics has no one key (perKeyOrder is not for a batch outbox)`);
  }
}
