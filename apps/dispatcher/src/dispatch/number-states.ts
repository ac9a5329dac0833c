import { Injectable, Logger } from '@nestjs/common';
import { returnedRows } from '@wt/database';
import { counter } from '@wt/observability';
import { DataSource, type EntityManager } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';

const unusableTotal = counter({
  name: 'wt_dispatch_number_unusable_total',
  help: 'Times a business number answered 131057 (maintenance, e.g. its throughput changing) and its sends were held for NUMBER_MAINTENANCE_PAUSE_MS',
});

/** Parses `WHATSAPP_NUMBER_MPS` (`id=mps,id=mps`). */
export function configuredRates(setting: string | undefined): Map<string, number> {
  const rates = new Map<string, number>();
  for (const part of (setting ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [id, mps] = part.split('=');
    if (id && mps) rates.set(id.trim(), Number(mps));
  }
  return rates;
}

/**
 * What the platform knows of each business number, shared by every replica through Postgres
 * (`phone_number_state`): its throughput (80 mps by default, 1,000 once Meta upgraded it, as its
 * `phone_number_quality_update` webhook says or `WHATSAPP_NUMBER_MPS` sets), and until when it is
 * unusable (Meta answers 131057 while a number's throughput changes, for up to a minute). Read
 * from memory on every send, refreshed from the table every second.
 */
@Injectable()
export class NumberStates {
  private readonly logger = new Logger(NumberStates.name);
  private readonly configured: Map<string, number>;
  private learned = new Map<string, number>();
  /** Local `Date.now()` until which each number is unusable. */
  private unusable = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: DispatcherConfig,
  ) {
    this.configured = configuredRates(config.WHATSAPP_NUMBER_MPS);
  }

  /** Messages per second Meta allows the number: what Meta said, else configuration, else `WHATSAPP_MPS`. */
  rateOf(phoneNumberId: string): number {
    return this.learned.get(phoneNumberId) ?? this.configured.get(phoneNumberId) ?? this.config.WHATSAPP_MPS;
  }

  isUnusable(phoneNumberId: string, now = Date.now()): boolean {
    return (this.unusable.get(phoneNumberId) ?? 0) > now;
  }

  async refresh(): Promise<void> {
    const started = Date.now();
    const rows = (await this.dataSource.query(
      `SELECT phone_number_id, mps, extract(epoch FROM (unusable_until - clock_timestamp())) * 1000 AS unusable_ms FROM phone_number_state`,
    )) as { phone_number_id: string; mps: number | null; unusable_ms: string | null }[];
    const learned = new Map<string, number>();
    const unusable = new Map<string, number>();
    for (const row of rows) {
      if (row.mps !== null) learned.set(row.phone_number_id, row.mps);
      const left = row.unusable_ms === null ? 0 : Number(row.unusable_ms);
      if (left > 0) unusable.set(row.phone_number_id, started + left);
    }
    // A pause this replica just decided stays until the table says at least as much.
    for (const [id, until] of this.unusable) if (until > Date.now() && (unusable.get(id) ?? 0) < until) unusable.set(id, until);
    this.learned = learned;
    this.unusable = unusable;
  }

  /** Meta answered 131057 for the number: every replica holds its sends for the pause, then tries again. */
  async markUnusable(phoneNumberId: string): Promise<void> {
    const pause = this.config.NUMBER_MAINTENANCE_PAUSE_MS;
    this.unusable.set(phoneNumberId, Math.max(this.unusable.get(phoneNumberId) ?? 0, Date.now() + pause));
    unusableTotal.inc();
    this.logger.warn(
      `business number ${phoneNumberId} is in maintenance (131057, e.g. its throughput changing): its sends wait ${pause} ms`,
    );
    await this.dataSource.query(
      `INSERT INTO phone_number_state (phone_number_id, unusable_until) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (phone_number_id) DO UPDATE SET unusable_until = GREATEST(phone_number_state.unusable_until, EXCLUDED.unusable_until), updated_at = now()`,
      [phoneNumberId, pause],
    );
  }

  /**
   * Remembers a number's account and display number (they come with every `messages` webhook).
   * A number already stored as it is named here is left alone, read without a lock: an upsert locks
   * the row it conflicts with even when it changes nothing, and every webhook of a number then
   * waited for the one before it to commit (seen: nine of the ten connections of the pool queued on
   * one number's row, webhooks answered in over 5 s and the decisions' consumer starved).
   */
  static async remember(manager: EntityManager, numbers: { phoneNumberId: string; wabaId: string; display?: string }[]): Promise<void> {
    if (numbers.length === 0) return;
    const unique = new Map(numbers.map((n) => [n.phoneNumberId, n]));
    const ids = [...unique.keys()].sort();
    await manager.query(
      `INSERT INTO phone_number_state (phone_number_id, waba_id, display_phone_number)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS n(phone_number_id, waba_id, display_phone_number)
       WHERE NOT EXISTS (
         SELECT 1 FROM phone_number_state s
         WHERE s.phone_number_id = n.phone_number_id AND s.waba_id IS NOT DISTINCT FROM n.waba_id
           AND s.display_phone_number IS NOT DISTINCT FROM COALESCE(n.display_phone_number, s.display_phone_number)
       )
       ON CONFLICT (phone_number_id) DO UPDATE SET waba_id = EXCLUDED.waba_id, display_phone_number = COALESCE(EXCLUDED.display_phone_number, phone_number_state.display_phone_number)
       WHERE phone_number_state.waba_id IS DISTINCT FROM EXCLUDED.waba_id OR phone_number_state.display_phone_number IS DISTINCT FROM EXCLUDED.display_phone_number`,
      [ids, ids.map((id) => unique.get(id)?.wabaId ?? null), ids.map((id) => unique.get(id)?.display ?? null)],
    );
  }

  /**
   * Meta changed a number's throughput (`phone_number_quality_update`, which names the number by its
   * display number): the new rate applies, and the number is usable again. False when no number
   * with that display number is known yet.
   */
  static async setThroughput(manager: EntityManager, display: string, mps: number): Promise<boolean> {
    const rows = returnedRows<{ phone_number_id: string }>(
      await manager.query(
        `UPDATE phone_number_state SET mps = $2, unusable_until = NULL, updated_at = now() WHERE display_phone_number = $1 RETURNING phone_number_id`,
        [display, mps],
      ),
    );
    return rows.length > 0;
  }
}
