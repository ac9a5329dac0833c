import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { NumberStates } from './number-states';
import { PortfolioLimits } from './portfolio-limits';

/** A template's status or quality, as Meta's account webhooks say it, for one account. */
export interface TemplateKey {
  wabaId: string;
  templateName: string;
  language: string;
}

/**
 * What Meta's account webhooks change in how the platform sends, written in the webhook's
 * transaction (`manager`): the numbers' accounts, display numbers and throughput, the portfolios'
 * messaging limits, and the templates' status and quality (a PAUSED or DISABLED one holds its
 * sends: the claim skips them). The dispatch module's door for the account webhooks.
 */
@Injectable()
export class AccountStates {
  /** A number's account and display number (they come with every `messages` webhook). */
  rememberNumbers(manager: EntityManager, numbers: { phoneNumberId: string; wabaId: string; display?: string }[]): Promise<void> {
    return NumberStates.remember(manager, numbers);
  }

  /** A number's new throughput (by its display number); false when no number with it is known yet. */
  setThroughput(manager: EntityManager, display: string, mps: number): Promise<boolean> {
    return NumberStates.setThroughput(manager, display, mps);
  }

  /** The portfolio's messaging limit (null: unlimited) for every business of the account; returns those businesses. */
  async setMessagingLimit(manager: EntityManager, wabaId: string, limit: number | null): Promise<string[]> {
    const businesses = await this.businessesOf(manager, wabaId);
    await PortfolioLimits.setFromMeta(manager, businesses, limit);
    return businesses;
  }

  async templateStatus(manager: EntityManager, template: TemplateKey, status: string, reason: string | null): Promise<void> {
    await manager.query(
      `INSERT INTO template_state (waba_id, template_name, language, status, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (waba_id, template_name, language) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, updated_at = now()`,
      [template.wabaId, template.templateName, template.language, status, reason],
    );
  }

  async templateQuality(manager: EntityManager, template: TemplateKey, quality: string): Promise<void> {
    await manager.query(
      `INSERT INTO template_state (waba_id, template_name, language, quality) VALUES ($1, $2, $3, $4)
       ON CONFLICT (waba_id, template_name, language) DO UPDATE SET quality = EXCLUDED.quality, updated_at = now()`,
      [template.wabaId, template.templateName, template.language, quality],
    );
  }

  /** The platform's businesses whose numbers belong to this WhatsApp Business Account. */
  async businessesOf(manager: EntityManager, wabaId: string): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT b.business_id FROM phone_number_state s JOIN business_phone_number b ON b.phone_number_id = s.phone_number_id WHERE s.waba_id = $1 ORDER BY 1`,
      [wabaId],
    )) as { business_id: string }[];
    return rows.map((r) => r.business_id);
  }
}
