import { Injectable, Logger } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';

/** Meta's sliding window for throughput, and the margin the admission guard adds to it. */
const WINDOW_MS = 1000;
const WINDOW_MARGIN_MS = 5;
/** A lease this replica has had no work for this long is let go (before it expires: the next holder then waits one window, not a timeout). */
const IDLE_RELEASE_MS = 2000;

interface Held {
  /** Local time after which this replica must not start a send of the number (the lease may have passed on). */
  until: number;
  /** Local time before which it must not start one (the previous holder's requests may still count at Meta). */
  quietAfter: number;
}

/**
 * One sender per business number at a time: a lease in Postgres (`send_lease`). Meta counts a
 * number's messages in any sliding second whoever sends them; the admission guard of one process
 * (`SendAdmission`) bounds what that process's requests can put in any second, whatever stalls, but
 * it cannot see another replica's. With the lease only one process sends a number's messages, so the
 * guard's bound is the number's bound: the rate holds by construction, on a loaded machine too.
 *
 * - A replica takes the lease of every number it has due sends for, when free, expired or its own,
 *   and renews it at each claim round (`SEND_LEASE_TTL_MS`); it sends a number's messages only
 *   while its lease, as its own clock conservatively sees it, lasts past the send's latest start.
 * - Handing over: a replica that lets a lease go (idle, or shutting down, after its calls settled)
 *   sets `quiet_after` one window after its last request was answered (after the hold of a request
 *   it gave up on a timeout, which Meta may still count: `SendAdmission.quietMs`); a lease that merely expired
 *   (a crashed or stalled holder) gets `quiet_after` = expiry + call timeout + one window, the latest
 *   a request it started could be counted. The next holder starts no send before `quiet_after`.
 *
 * Several numbers spread over replicas (each takes the leases of the numbers it has work for); one
 * number is sent by one replica at a time, which is what Meta's per-number limit needs.
 */
@Injectable()
export class SendLease {
  private readonly logger = new Logger(SendLease.name);
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private held = new Map<string, Held>();
  /** Local time each held number last had work (due sends or activity). */
  private readonly lastWanted = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
  ) {}

  /**
   * Takes or renews the leases of the numbers with due sends and of `active` (numbers this replica
   * still has sends booked or answers pending for); lets go of the others it held. Returns the
   * numbers this replica may claim sends for now.
   */
  async acquire(active: readonly string[]): Promise<string[]> {
    const started = Date.now();
    const rows = returnedRows<{ phone_number_id: string; left_ms: string; quiet_ms: string }>(
      await this.dataSource.query(
        `WITH wanted AS (
           -- Every queued send's number is in business_phone_number (enqueue writes both): one index
           -- probe per known number (dispatch_due_by_number), not a pass over every pending row (a
           -- LATERAL with LIMIT 1, so that the planner cannot choose to hash every due row instead).
           SELECT b.phone_number_id AS id FROM business_phone_number b
           CROSS JOIN LATERAL (
             SELECT 1 FROM dispatch d WHERE d.phone_number_id = b.phone_number_id AND d.state = 'pending' AND d.next_attempt_at <= now() LIMIT 1
           ) AS due
           UNION SELECT unnest($2::text[])
         )
         INSERT INTO send_lease AS l (phone_number_id, holder, until, quiet_after)
         SELECT id, $1, clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp() FROM wanted ORDER BY id
         ON CONFLICT (phone_number_id) DO UPDATE SET
           holder = $1,
           until = EXCLUDED.until,
           quiet_after = CASE
             WHEN l.holder = $1 THEN l.quiet_after
             -- Expired without being let go: its holder may have started a request until the last moment.
             WHEN l.quiet_after < l.until THEN l.until + $4 * interval '1 millisecond'
             ELSE l.quiet_after END
         WHERE l.holder = $1 OR l.until < clock_timestamp()
         RETURNING phone_number_id,
           extract(epoch FROM (until - clock_timestamp())) * 1000 AS left_ms,
           extract(epoch FROM (quiet_after - clock_timestamp())) * 1000 AS quiet_ms`,
        [this.holder, [...active], this.config.SEND_LEASE_TTL_MS, this.config.WHATSAPP_TIMEOUT_MS + WINDOW_MS + WINDOW_MARGIN_MS],
      ),
    );
    const received = Date.now();
    const next = new Map<string, Held>();
    for (const row of rows) {
      // The statement ran between `started` and `received` (local clock): the lease ends no earlier
      // than started + left, and the quiet period no later than received + quiet.
      next.set(row.phone_number_id, { until: started + Number(row.left_ms), quietAfter: received + Math.max(0, Number(row.quiet_ms)) });
    }
    for (const id of next.keys()) this.lastWanted.set(id, received);
    // Held but without work this round: kept (not renewed) for a while, then let go.
    const idle: string[] = [];
    for (const [id, held] of this.held) {
      if (next.has(id)) continue;
      if (received - (this.lastWanted.get(id) ?? 0) >= IDLE_RELEASE_MS || held.until <= received) idle.push(id);
      else next.set(id, held);
    }
    this.held = next;
    for (const id of idle) this.lastWanted.delete(id);
    if (idle.length > 0) await this.release(idle);
    return [...next.entries()].filter(([, h]) => h.quietAfter <= received).map(([id]) => id);
  }

  /** Whether this replica may start a send of the number that could be written as late as `latestStart` (local ms). */
  allows(phoneNumberId: string, now: number, latestStart: number): boolean {
    const held = this.held.get(phoneNumberId);
    return held !== undefined && now >= held.quietAfter && latestStart < held.until;
  }

  /**
   * Lets go of leases (all of this replica's when `numbers` is not given). Call only once no
   * request of those numbers is unanswered: the next holder waits one window from now, or
   * `quietMs` when this replica's requests may count longer (a request given up on a timeout).
   */
  async release(numbers?: readonly string[], quietMs = 0): Promise<void> {
    const ids = numbers ?? [...this.held.keys()];
    for (const id of ids) this.held.delete(id);
    if (numbers !== undefined && ids.length === 0) return;
    await this.dataSource
      .query(
        `UPDATE send_lease SET until = clock_timestamp(), quiet_after = clock_timestamp() + $3 * interval '1 millisecond'
         WHERE holder = $1 AND ($2::text[] IS NULL OR phone_number_id = ANY($2::text[]))`,
        [this.holder, numbers === undefined ? null : [...ids], Math.ceil(Math.max(WINDOW_MS + WINDOW_MARGIN_MS, quietMs))],
      )
      .catch((error: unknown) =>
        this.logger.warn(`lease release: ${error instanceof Error ? error.message : String(error)}; it expires on its own`),
      );
  }
}
