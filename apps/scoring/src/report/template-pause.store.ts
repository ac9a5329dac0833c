import { Injectable } from '@nestjs/common';
import { type BusinessSendingSignalV1 } from '@wt/contracts';
import { DataSource } from 'typeorm';

/** A campaign's pause because Meta paused or disabled its template. */
export interface TemplatePause {
  reason: string;
  template: { name: string; language: string };
  since: string;
}

/**
 * Templates Meta paused or disabled, from the dispatcher's `template_paused` and `template_resumed`
 * signals (Meta's `message_template_status_update` webhook). While a template is paused the
 * dispatcher holds its sends (they leave once it is approved again), and the campaigns that use it
 * report the pause and its reason. Idempotent: a replayed signal changes nothing, an older one loses.
 */
@Injectable()
export class TemplatePauseStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(signals: readonly BusinessSendingSignalV1[]): Promise<number> {
    let changed = 0;
    for (const s of signals) {
      if ((s.signal !== 'template_paused' && s.signal !== 'template_resumed') || !s.templateName || !s.language) continue;
      const rows: unknown[] =
        s.signal === 'template_paused'
          ? await this.dataSource.query(
              `INSERT INTO template_pause (business_id, template_name, language, reason, paused_at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (business_id, template_name, language) DO UPDATE SET reason = EXCLUDED.reason, paused_at = EXCLUDED.paused_at, resumed_at = NULL
               WHERE template_pause.paused_at < EXCLUDED.paused_at AND (template_pause.resumed_at IS NULL OR template_pause.resumed_at < EXCLUDED.paused_at)
               RETURNING 1`,
              [s.businessId, s.templateName, s.language, s.reason ?? 'template paused', s.occurredAt],
            )
          : await this.dataSource.query(
              `UPDATE template_pause SET resumed_at = $4 WHERE business_id = $1 AND template_name = $2 AND language = $3
                 AND paused_at < $4 AND (resumed_at IS NULL OR resumed_at < $4) RETURNING 1`,
              [s.businessId, s.templateName, s.language, s.occurredAt],
            );
      changed += rows.length;
    }
    return changed;
  }

  /** The pause in force for a campaign's template, if any. */
  async pauseOf(businessId: string, templateName: string, language: string): Promise<TemplatePause | null> {
    const rows: { reason: string | null; paused_at: Date }[] = await this.dataSource.query(
      `SELECT reason, paused_at FROM template_pause WHERE business_id = $1 AND template_name = $2 AND language = $3 AND resumed_at IS NULL`,
      [businessId, templateName, language],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      reason: row.reason ?? 'template paused',
      template: { name: templateName, language },
      since: new Date(row.paused_at).toISOString(),
    };
  }
}
