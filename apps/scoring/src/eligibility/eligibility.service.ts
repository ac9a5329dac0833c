import { Injectable } from '@nestjs/common';
import { type BusinessSendingSignalV1, type MessageStatusV1 } from '@wt/contracts';
import { DataSource, type EntityManager } from 'typeorm';

/** WhatsApp's "message undeliverable" (the number is not on WhatsApp or cannot receive). */
export const UNREACHABLE_ERROR_CODE = 131026;

/** Who cannot be sent to now, for the people and businesses of one evaluation. */
export interface SendingBlocks {
  /** Per person: until when WhatsApp's 131026 makes them unreachable. */
  unreachable: ReadonlyMap<string, Date>;
  /** Per business (or `*`): until when its campaigns are paused (null: until resumed). */
  paused: ReadonlyMap<string, Date | null>;
}

/** The pause that applies to a business, if any: its own, or one for every business (`*`). */
export function pauseOf(blocks: SendingBlocks, businessId: string): { until: Date | null } | undefined {
  for (const key of [businessId, '*']) {
    const until = blocks.paused.get(key);
    if (until !== undefined) return { until };
  }
  return undefined;
}

const latest = (a: string | undefined, b: string) => (a === undefined || Date.parse(b) > Date.parse(a) ? b : a);

/**
 * Scoring's copy of what the dispatcher acts on: unreachable numbers (from `failed` or `rejected`
 * statuses with 131026) and paused businesses (from `internal.whatsapp.business-signals.v1`).
 * Writes are set-based, one statement per kind per batch, and idempotent (a replayed batch changes
 * nothing); each fact carries the time it happened, so a late or replayed older one never
 * overrides a newer one.
 */
@Injectable()
export class EligibilityService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Marks people unreachable for `forMs` after each 131026 failure, and clears the mark of those
   * who were reached later (a delivered or read status, or an inbound message, after the failure).
   * Returns how many people were marked and cleared.
   */
  async recordReachability(
    statuses: readonly Pick<MessageStatusV1, 'personId' | 'status' | 'errorCode' | 'occurredAt'>[],
    inbound: readonly { personId: string; receivedAt: string }[],
    forMs: number,
  ): Promise<{ marked: number; cleared: number }> {
    const failed = new Map<string, string>();
    const reached = new Map<string, string>();
    for (const s of statuses) {
      if ((s.status === 'failed' || s.status === 'rejected') && s.errorCode === UNREACHABLE_ERROR_CODE)
        failed.set(s.personId, latest(failed.get(s.personId), s.occurredAt));
      else if (s.status === 'delivered' || s.status === 'read') reached.set(s.personId, latest(reached.get(s.personId), s.occurredAt));
    }
    for (const m of inbound) reached.set(m.personId, latest(reached.get(m.personId), m.receivedAt));
    let marked = 0;
    let cleared = 0;
    await this.dataSource.transaction(async (manager) => {
      if (failed.size > 0) {
        const rows: unknown[] = await manager.query(
          `INSERT INTO unreachable_person (person_id, failed_at, until, error_code)
           SELECT person_id, failed_at, failed_at + $3 * interval '1 millisecond', $4
           FROM unnest($1::char(64)[], $2::timestamptz[]) AS f(person_id, failed_at)
           ORDER BY person_id
           ON CONFLICT (person_id) DO UPDATE SET failed_at = EXCLUDED.failed_at, until = EXCLUDED.until, error_code = EXCLUDED.error_code
             WHERE unreachable_person.failed_at < EXCLUDED.failed_at
           RETURNING person_id`,
          [[...failed.keys()], [...failed.values()], forMs, UNREACHABLE_ERROR_CODE],
        );
        marked = rows.length;
      }
      if (reached.size > 0) {
        const [rows] = (await manager.query(
          `DELETE FROM unreachable_person u USING unnest($1::char(64)[], $2::timestamptz[]) AS r(person_id, reached_at)
           WHERE u.person_id = r.person_id AND u.failed_at < r.reached_at
           RETURNING u.person_id`,
          [[...reached.keys()], [...reached.values()]],
        )) as [unknown[], number];
        cleared = rows.length;
      }
    });
    return { marked, cleared };
  }

  /** Applies `campaigns_paused` and `campaigns_resumed` signals (others are not about targeting). Returns the businesses concerned. */
  async recordSignals(signals: readonly BusinessSendingSignalV1[]): Promise<string[]> {
    const paused = new Map<string, BusinessSendingSignalV1>();
    const resumed = new Map<string, string>();
    for (const s of signals) {
      if (s.signal === 'campaigns_paused') {
        const known = paused.get(s.businessId);
        if (!known || Date.parse(s.occurredAt) > Date.parse(known.occurredAt)) paused.set(s.businessId, s);
      } else if (s.signal === 'campaigns_resumed') {
        resumed.set(s.businessId, latest(resumed.get(s.businessId), s.occurredAt));
      }
    }
    await this.dataSource.transaction(async (manager) => {
      const pauses = [...paused.values()].sort((a, b) => (a.businessId < b.businessId ? -1 : 1));
      if (pauses.length > 0) {
        await manager.query(
          `INSERT INTO business_pause (business_id, paused_at, until, error_code)
           SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int[])
           ON CONFLICT (business_id) DO UPDATE SET paused_at = EXCLUDED.paused_at, until = EXCLUDED.until, error_code = EXCLUDED.error_code
             WHERE business_pause.paused_at < EXCLUDED.paused_at`,
          [
            pauses.map((p) => p.businessId),
            pauses.map((p) => p.occurredAt),
            pauses.map((p) => p.until ?? null),
            pauses.map((p) => p.errorCode ?? null),
          ],
        );
      }
      if (resumed.size > 0) {
        const entries = [...resumed].sort(([a], [b]) => (a < b ? -1 : 1));
        await manager.query(
          `UPDATE business_pause b SET resumed_at = r.resumed_at
           FROM unnest($1::text[], $2::timestamptz[]) AS r(business_id, resumed_at)
           WHERE b.business_id = r.business_id AND (b.resumed_at IS NULL OR b.resumed_at < r.resumed_at)`,
          [entries.map(([id]) => id), entries.map(([, at]) => at)],
        );
      }
    });
    return [...new Set([...paused.keys(), ...resumed.keys()])];
  }

  /** The blocks in force at `now` for these people and businesses. */
  async blocks(manager: EntityManager, personIds: readonly string[], businessIds: readonly string[], now: Date): Promise<SendingBlocks> {
    // Unreachable people and paused businesses in one round trip.
    const rows: BlockRow[] = await manager.query(blocksSql('$1', '$3', '$2'), [personIds, now, blockedBusinessKeys(businessIds)]);
    return blocksOf(rows);
  }
}

/** A row of `blocksSql`. */
export interface BlockRow {
  kind: 'unreachable' | 'paused';
  id: string;
  until: Date | null;
}

/** The businesses whose pauses concern an evaluation: its own, and every business (`*`). */
export const blockedBusinessKeys = (businessIds: readonly string[]) => [...new Set([...businessIds, '*'])];

/**
 * The blocks in force, as rows (`kind`, `id`, `until`), for the people (a char(64)[] parameter),
 * the businesses (a text[] parameter, from `blockedBusinessKeys`) and the instant (timestamptz) named:
 * a SQL fragment, so that an evaluation reads them in the same round trip as the rest.
 */
export function blocksSql(people: string, businesses: string, now: string): string {
  return `SELECT 'unreachable' AS kind, person_id::text AS id, until FROM unreachable_person WHERE person_id = ANY(${people}::char(64)[]) AND until > ${now}
       UNION ALL
       SELECT 'paused', business_id, until FROM business_pause
       WHERE business_id = ANY(${businesses}::text[]) AND (until IS NULL OR until > ${now}) AND (resumed_at IS NULL OR resumed_at < paused_at)`;
}

export function blocksOf(rows: readonly BlockRow[]): SendingBlocks {
  const unreachable = new Map<string, Date>();
  const paused = new Map<string, Date | null>();
  for (const r of rows) {
    if (r.kind === 'unreachable') unreachable.set(r.id, r.until!);
    else paused.set(r.id, r.until);
  }
  return { unreachable, paused };
}
