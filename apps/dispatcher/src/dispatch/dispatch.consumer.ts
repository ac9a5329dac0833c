import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords, type RecordBatch } from '@wt/kafka';
import { PostgresPersonIdentifiers } from '@wt/vault';
import { DataSource } from 'typeorm';
import { MessageCosts } from '../pricing/message-costs';
import { DispatchLedger, type QueuedSend } from './dispatch-ledger';

/**
 * Turns `send` decisions and assistant replies into ledger rows (the send queue). Offsets are
 * committed once the rows are in Postgres; the sender takes it from there, once per decision id.
 */
const SEND = Buffer.from('"send"');

/** False only for a decision that cannot be a `send`: its JSON lacks `"send"`, which a send's outcome always is. */
export const mayBeSend = (value: Buffer): boolean => value.includes(SEND);

@Controller()
export class DispatchConsumer {
  constructor(
    private readonly ledger: DispatchLedger,
    private readonly dataSource: DataSource,
    private readonly costs: MessageCosts,
    private readonly identifiers: PostgresPersonIdentifiers,
  ) {}

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

  /**
   * Only `send` decisions matter here (most decisions are `suppress`): a record without the word in
   * its bytes is skipped before it is even parsed (what else holds it is filtered below).
   */
  @EventPattern(Topic.TargetingDecisionsV1, onlyRecords(mayBeSend))
  async onDecisions(@Payload() batch: RecordBatch<Topic.TargetingDecisionsV1>): Promise<void> {
    const sends: QueuedSend[] = [];
    for (const { value: d, headers } of batch.records) {
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
      batch.records.flatMap(({ value: d }) => (d.outcome === 'send' && d.send ? [d] : [])),
    );
  }

  /** Free-form replies inside the 24 h window; keyed `reply:<replyId>` in the ledger, so never sent twice. */
  @EventPattern(Topic.AssistantRepliesV1)
  async onReplies(@Payload() batch: RecordBatch<Topic.AssistantRepliesV1>): Promise<void> {
    await this.ledger.enqueue(
      await this.followMoves(
        batch.records.map(({ value: r }) => ({
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
  @EventPattern(Topic.CampaignsV1)
  async onCampaigns(@Payload() batch: RecordBatch<Topic.CampaignsV1>): Promise<void> {
    const numbers = new Map(batch.records.map(({ value: c }) => [c.phoneNumberId, c.businessId]));
    await this.ledger.rememberNumbers(this.dataSource.manager, numbers);
  }
}
