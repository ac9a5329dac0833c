import { Injectable } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { DataSource } from 'typeorm';
import { ADMISSION_MARGIN_MS } from './send-admission';

/** Messages per second Meta allows a number. */
export type RateOf = (phoneNumberId: string) => number;

/** Send times handed out by the limiter, in this process's clock (`Date.now()` milliseconds). */
export type SendSlots = number[];

/** How long the smallest clock-offset sample stands before the estimate may rise (clock drift). */
const OFFSET_MEMORY_MS = 30_000;
/** How far the estimate may rise at a time. */
const OFFSET_DRIFT_MS = 1;

/** Meta's standard throughput per number (messages per second): the schedule's margin applies in full up to it. */
export const STANDARD_MPS = 80;

/**
 * The margin added to each second of a number's schedule at `rate`: `marginMs` up to Meta's
 * standard 80/s; above, it shrinks with the interval (the same margin per send: at 1,000/s 20 ms
 * would be 1.6 ms), never below the admission guard's own margin (5 ms: a ceiling of 995/s, where
 * a fixed 20 ms would cap the number at 980/s). The margin only spares the guard from holding
 * sends at normal latency; the guard bounds what Meta counts.
 */
export function scheduleMarginMs(rate: number, marginMs: number): number {
  if (rate <= STANDARD_MPS) return marginMs;
  return Math.max(Math.min(marginMs, ADMISSION_MARGIN_MS), (marginMs * STANDARD_MPS) / rate);
}

/**
 * Meta's throughput per business phone number, shared by every dispatcher replica through
 * Postgres: a GCRA (virtual scheduling) row per number holds the theoretical time of its next
 * send. Reserving k sends moves it k intervals ahead in one atomic statement, so replicas
 * interleave instead of each sending the full rate. The interval is (1000 + margin) / rate ms (the
 * margin at that rate, `scheduleMarginMs`): evenly spaced sends put at most `rate` in any sliding
 * second. A send that goes late (the pacer lets a number run up to `CATCH_UP_MS` behind its
 * schedule) goes as soon as the admission guard lets it, so the number makes up the time.
 *
 * The schedule alone cannot bound what Meta counts: a stall after a request left (in this
 * process, or at Meta) bunches on-time requests, whatever the margin. Within a process the
 * sender's admission guard (`SendAdmission`) makes that impossible: it holds a send while the
 * number's unanswered requests and those answered in the last second already make the rate. The
 * guard sees only its own process: across replicas the sum relies on this schedule, so several
 * replicas' requests bunched by one stall (at Meta, say) can still exceed the rate (130429, retried).
 */
@Injectable()
export class ThroughputLimiter {
  /** Numbers known to have a row (the reservation statement only updates). */
  private readonly known = new Set<string>();
  /** This replica's last slot per number: a new reservation never starts closer than one interval after it. */
  private readonly lastSlot = new Map<string, number>();
  /** Local clock minus the database's, the smallest recently seen (round-trip latency only adds to it). */
  private offset: { value: number; at: number } | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * This replica moved the number's sends `delayMs` later than booked (a stall, see
   * `SendSchedule.slideLate`): its next reservation starts no closer than one interval after them.
   */
  delayed(phoneNumberId: string, delayMs: number): void {
    const last = this.lastSlot.get(phoneNumberId);
    if (last !== undefined) this.lastSlot.set(phoneNumberId, last + delayMs);
  }

  async reserve(phoneNumberId: string, count: number, perSecond: number | RateOf, marginMs: number): Promise<SendSlots> {
    return (await this.reserveMany(new Map([[phoneNumberId, count]]), perSecond, marginMs)).get(phoneNumberId) ?? [];
  }

  /** Reservations of this process, one after the other (see `lastSlot`). */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Reserves `count` evenly spaced slots for each number, every number in one round trip.
   * One reservation at a time per process: their answers are then read in the database's order,
   * which the `lastSlot` guard relies on.
   */
  reserveMany(counts: ReadonlyMap<string, number>, perSecond: number | RateOf, marginMs: number): Promise<Map<string, SendSlots>> {
    const next = this.queue.then(() => this.reserveNow(counts, perSecond, marginMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reserveNow(
    counts: ReadonlyMap<string, number>,
    perSecond: number | RateOf,
    marginMs: number,
  ): Promise<Map<string, SendSlots>> {
    const rateOf: RateOf = typeof perSecond === 'number' ? () => perSecond : perSecond;
    const intervalOf = (id: string) => (1000 + scheduleMarginMs(rateOf(id), marginMs)) / rateOf(id);
    const ids = [...counts.keys()].filter((id) => (counts.get(id) ?? 0) > 0).sort();
    if (ids.length === 0) return new Map();
    const fresh = ids.filter((id) => !this.known.has(id));
    if (fresh.length > 0) {
      await this.dataSource.query(
        `INSERT INTO phone_number_pace (phone_number_id, tat) SELECT id, clock_timestamp() FROM unnest($1::text[]) AS id ON CONFLICT DO NOTHING`,
        [fresh],
      );
      for (const id of fresh) this.known.add(id);
    }
    // Rows are locked in number order, so two replicas reserving overlapping sets cannot deadlock.
    const returned = returnedRows<{ phone_number_id: string; tat_ms: string; now_ms: string }>(
      await this.dataSource.query(
        `WITH r AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS r(id, advance)),
            locked AS (SELECT p.phone_number_id FROM phone_number_pace p JOIN r ON r.id = p.phone_number_id ORDER BY p.phone_number_id FOR UPDATE OF p)
       UPDATE phone_number_pace p SET tat = GREATEST(p.tat, clock_timestamp()) + r.advance * interval '1 millisecond'
       FROM r, locked l
       WHERE p.phone_number_id = r.id AND l.phone_number_id = r.id
       RETURNING p.phone_number_id, extract(epoch FROM p.tat) * 1000 AS tat_ms, extract(epoch FROM clock_timestamp()) * 1000 AS now_ms`,
        [ids, ids.map((id) => (counts.get(id) ?? 0) * intervalOf(id))],
      ),
    );
    const received = Date.now();
    const slots = new Map<string, SendSlots>();
    for (const row of returned) {
      const offset = this.clockOffset(received - Number(row.now_ms), received);
      const count = counts.get(row.phone_number_id) ?? 0;
      const intervalMs = intervalOf(row.phone_number_id);
      // The database's clock orders the replicas; translate the slots into this process's clock.
      // A lower offset estimate than the last reservation's would pull these slots earlier than
      // the schedule says, against the ones already handed out: never closer than one interval.
      const first = Math.max(
        Number(row.tat_ms) - count * intervalMs + offset,
        (this.lastSlot.get(row.phone_number_id) ?? -Infinity) + intervalMs,
      );
      const list = Array.from({ length: count }, (_, i) => first + i * intervalMs);
      this.lastSlot.set(row.phone_number_id, list[list.length - 1] as number);
      slots.set(row.phone_number_id, list);
    }
    if (slots.size < ids.length) {
      // A row deleted meanwhile (a truncated table): known again on the next call.
      for (const id of ids) if (!slots.has(id)) this.known.delete(id);
    }
    return slots;
  }

  /**
   * The clocks' offset: each sample is the true offset plus the reply's latency, so the smallest
   * recent sample is the best estimate; a noisy sample must not shift a whole batch of slots
   * (two batches shifted differently would crowd the sends at their seam).
   */
  private clockOffset(sample: number, now: number): number {
    if (!this.offset || sample <= this.offset.value) this.offset = { value: sample, at: now };
    else if (now - this.offset.at > OFFSET_MEMORY_MS) {
      // Without a lower sample for a while, let the estimate follow a drifting clock, by at most
      // OFFSET_DRIFT_MS at a time: jumping to one slow reply's offset, then back down at the next
      // quick one, would pull a batch of slots earlier by that reply's latency (a burst).
      this.offset = { value: Math.min(sample, this.offset.value + OFFSET_DRIFT_MS), at: now };
    }
    return this.offset.value;
  }
}
