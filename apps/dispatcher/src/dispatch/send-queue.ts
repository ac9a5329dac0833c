import { Injectable } from '@nestjs/common';
import { type AssistantReplyV1, type CampaignV1, type TargetingDecisionV1 } from '@wt/contracts';
import { type ConsumedRecord } from '@wt/kafka';
import { PostgresPersonIdentifiers } from '@wt/vault';
import { DataSource } from 'typeorm';
import { MessageCosts } from '../pricing/message-costs';
import { DispatchLedger, type QueuedSend } from './dispatch-ledger';

/** A consumed record, as far as the queue reads it: its value, and its headers (a decision's trace). */
type Consumed<T> = Pick<ConsumedRecord<T>, 'value' | 'headers'>;

/**
 * What the consumers ask for, written to the send queue (the ledger): campaign sends with their
 * estimated cost, assistant replies, and which business each number belongs to. Each write is one
 * statement keyed by the decision id (a redelivered record is a no-op); the sender takes it from there.
 */
@Injectable()
export class SendQueue {
  constructor(
    private readonly ledger: DispatchLedger,
    private readonly dataSource: DataSource,
    private readonly costs: MessageCosts,
    private readonly identifiers: PostgresPersonIdentifiers,
  ) {}

  /** `send` decisions (others are ignored), each continuing the trace of its record. */
  async decisions(records: readonly Consumed<TargetingDecisionV1>[]): Promise<void> {
    const sends: QueuedSend[] = [];
    for (const { value: d, headers } of records) {
      if (d.outcome !== 'send' || !d.send) continue;
      sends.push({
        decisionId: d.decisionId,
        personId: d.personId,
        businessId: d.businessId,
        campaignId: d.campaignId,
        phoneNumberId: d.send.phoneNumberId,
        message: {
          kind: 'template',
          contact: d.send.contact,
          templateName: d.send.templateName,
          language: d.send.language,
          bodyParameters: d.send.bodyParameters,
        },
        traceparent: headers.traceparent,
      });
    }
    await this.ledger.enqueue(await this.followMoves(sends));
    // Each send's estimated cost, as its decision carries it (once per decision id).
    await this.costs.recordEstimates(
      this.dataSource.manager,
      records.flatMap(({ value: d }) => (d.outcome === 'send' && d.send ? [d] : [])),
    );
  }

  /** Free-form replies inside the 24 h window; keyed `reply:<replyId>` in the ledger, so never sent twice. */
  async replies(records: readonly Consumed<AssistantReplyV1>[]): Promise<void> {
    await this.ledger.enqueue(
      await this.followMoves(
        records.map(({ value: r }) => ({
          decisionId: `reply:${r.replyId}`,
          personId: r.personId,
          businessId: r.businessId,
          campaignId: '',
          phoneNumberId: r.phoneNumberId,
          message: { kind: 'text', contact: r.contact, text: r.text },
        })),
      ),
    );
  }

  /** Campaigns name their business phone number: the webhook needs the business of a number. */
  async campaignNumbers(records: readonly Consumed<CampaignV1>[]): Promise<void> {
    const numbers = new Map(records.map(({ value: c }) => [c.phoneNumberId, c.businessId]));
    await this.ledger.rememberNumbers(this.dataSource.manager, numbers);
  }

  /**
   * People who changed number or BSUID since their contact was collected are sent to at their new
   * address (`user_changed_number` / `user_changed_user_id` webhooks, followed in the identifier
   * links): one vault round trip for the batch.
   */
  private async followMoves(sends: QueuedSend[]): Promise<QueuedSend[]> {
    if (sends.length === 0) return sends;
    const moved = await this.identifiers.movedAddresses(sends.map((s) => s.personId));
    if (moved.size === 0) return sends;
    return sends.map((s) => {
      const contact = moved.get(s.personId);
      return contact ? { ...s, message: { ...s.message, contact } } : s;
    });
  }
}
