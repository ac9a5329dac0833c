import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Send times handed out by the limiter, in this process's clock (`Date.now()` milliseconds). */
export type SendSlots = number[];

/**
 * Meta's throughput per business phone number, shared by every dispatcher replica through
 * Postgres: a GCRA (virtual scheduling) row per number holds the theoretical time of its next
 * send. Reserving k sends moves it k intervals ahead in one atomic statement, so replicas
 * interleave instead of each sending the full rate. The interval is (1000 + margin) / rate ms:
 * evenly spaced sends never put more than `rate` in any sliding second, even with some jitter.
 */
@Injectable()
export class ThroughputLimiter {
  constructor(private readonly dataSource: DataSource) {}

  async reserve(phoneNumberId: string, count: number, perSecond: number, marginMs: number): Promise<SendSlots> {
    const intervalMs = (1000 + marginMs) / perSecond;
    const rows = (await this.dataSource.query(
      `INSERT INTO phone_number_pace AS p (phone_number_id, tat) VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (phone_number_id) DO UPDATE SET tat = GREATEST(p.tat, clock_timestamp()) + $2 * interval '1 millisecond'
       RETURNING extract(epoch FROM tat) * 1000 AS tat_ms, extract(epoch FROM clock_timestamp()) * 1000 AS now_ms`,
      [phoneNumberId, count * intervalMs],
    )) as { tat_ms: string; now_ms: string }[];
    const row = rows[0];
    if (!row) throw new Error('phone_number_pace returned no row');
    // The database's clock orders the replicas; translate the slots into this process's clock.
    const offset = Date.now() - Number(row.now_ms);
    const first = Number(row.tat_ms) - count * intervalMs + offset;
    return Array.from({ length: count }, (_, i) => first + i * intervalMs);
  }
}
