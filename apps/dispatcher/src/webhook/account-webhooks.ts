import { Injectable, Logger } from '@nestjs/common';
import { type BusinessSendingSignalV1 } from '@wt/contracts';
import { counter } from '@wt/observability';
import { accountChangesOf, messagingLimitOf, type WhatsAppWebhookPayload } from '@wt/whatsapp';
import { type EntityManager } from 'typeorm';
import { AccountStates, type TemplateKey } from '../dispatch/account-states';

/** Meta's throughput levels: the default, and the automatic upgrade. */
export const DEFAULT_MPS = 80;
export const UPGRADED_MPS = 1000;

/** Template statuses under which a template cannot be sent (Meta answers 132015, 132016). */
export const BLOCKING_TEMPLATE_STATUSES = ['PAUSED', 'DISABLED'] as const;

const accountEvents = counter({
  name: 'wt_webhook_account_events_total',
  help: 'Account webhooks followed, by field and what they changed',
  labelNames: ['field', 'effect'],
});

export interface AccountOutcome {
  /** Campaign pauses and resumptions because of a template's status, for the platform. */
  signals: { key: string; value: BusinessSendingSignalV1 }[];
}

/**
 * Meta's account webhooks, recorded in the webhook's transaction (account-webhook.types.ts cites
 * Meta's references):
 * - every `messages` change teaches which account and display number a phone_number_id has;
 * - `phone_number_quality_update` THROUGHPUT_UPGRADE / THROUGHPUT_DOWNGRADE: the number's rate
 *   (1,000 / 80 mps), usable again; its `max_daily_conversations_per_business` and
 *   `business_capability_update`: the portfolio's messaging limit for the account's businesses;
 * - `message_template_status_update` / `message_template_quality_update`: the template's status and
 *   quality; a template PAUSED or DISABLED holds its sends (claims skip them) and pauses the campaigns
 *   that use it (signal `template_paused` with the reason), APPROVED or REINSTATED resumes them.
 */
@Injectable()
export class AccountWebhooks {
  private readonly logger = new Logger(AccountWebhooks.name);

  constructor(private readonly states: AccountStates) {}

  async record(manager: EntityManager, payload: WhatsAppWebhookPayload): Promise<AccountOutcome> {
    const out: AccountOutcome = { signals: [] };
    const numbers: { phoneNumberId: string; wabaId: string; display?: string }[] = [];
    for (const entry of payload.entry ?? []) {
      for (const change of entry.changes ?? []) {
        const metadata = (change.value as { metadata?: { phone_number_id?: unknown; display_phone_number?: unknown } } | undefined)
          ?.metadata;
        if (typeof metadata?.phone_number_id === 'string') {
          numbers.push({
            phoneNumberId: metadata.phone_number_id,
            wabaId: entry.id,
            ...(typeof metadata.display_phone_number === 'string' ? { display: metadata.display_phone_number } : {}),
          });
        }
      }
    }
    await this.states.rememberNumbers(manager, numbers);

    for (const change of accountChangesOf(payload)) {
      switch (change.field) {
        case 'phone_number_quality_update': {
          const { event, display_phone_number: display } = change.value;
          if (event === 'THROUGHPUT_UPGRADE' || event === 'THROUGHPUT_DOWNGRADE') {
            const mps = event === 'THROUGHPUT_UPGRADE' ? UPGRADED_MPS : DEFAULT_MPS;
            const known = await this.states.setThroughput(manager, display, mps);
            accountEvents.inc({ field: change.field, effect: known ? `throughput_${mps}` : 'unknown_number' });
            if (!known) this.logger.warn(`throughput change (${event}) for a display number no message webhook has named yet; ignored`);
          }
          await this.messagingLimit(manager, change.wabaId, change.value.max_daily_conversations_per_business, change.field);
          break;
        }
        case 'business_capability_update':
          await this.messagingLimit(manager, change.wabaId, change.value.max_daily_conversations_per_business, change.field);
          break;
        case 'message_template_status_update': {
          const v = change.value;
          const status = String(v.event).toUpperCase();
          await this.states.templateStatus(manager, templateOf(change.wabaId, v), status, v.reason ?? null);
          accountEvents.inc({ field: change.field, effect: status.toLowerCase() });
          const blocking = (BLOCKING_TEMPLATE_STATUSES as readonly string[]).includes(status);
          const resumed = status === 'APPROVED' || status === 'REINSTATED' || status === 'UNPAUSED';
          if (blocking || resumed) {
            for (const businessId of await this.states.businessesOf(manager, change.wabaId)) {
              out.signals.push({
                key: businessId,
                value: {
                  businessId,
                  signal: blocking ? 'template_paused' : 'template_resumed',
                  templateName: v.message_template_name,
                  language: v.message_template_language,
                  reason: blocking
                    ? `template ${status.toLowerCase()}${v.reason && v.reason !== 'NONE' ? `: ${v.reason}` : ''}`
                    : 'template approved',
                  occurredAt: new Date().toISOString(),
                },
              });
            }
          }
          break;
        }
        case 'message_template_quality_update': {
          const v = change.value;
          await this.states.templateQuality(manager, templateOf(change.wabaId, v), String(v.new_quality_score).toUpperCase());
          accountEvents.inc({ field: change.field, effect: String(v.new_quality_score).toLowerCase() });
          break;
        }
      }
    }
    return out;
  }

  private async messagingLimit(manager: EntityManager, wabaId: string, value: unknown, field: string): Promise<void> {
    if (value === undefined) return;
    const limit = messagingLimitOf(value);
    if (limit === undefined) {
      this.logger.warn(`${field}: messaging limit ${JSON.stringify(value)} not understood; ignored`);
      return;
    }
    const businesses = await this.states.setMessagingLimit(manager, wabaId, limit);
    accountEvents.inc({ field, effect: businesses.length > 0 ? `messaging_limit_${limit ?? 'unlimited'}` : 'unknown_account' });
  }
}

/** A template named by an account webhook, in its account. */
function templateOf(wabaId: string, value: { message_template_name: string; message_template_language: string }): TemplateKey {
  return { wabaId, templateName: value.message_template_name, language: value.message_template_language };
}
