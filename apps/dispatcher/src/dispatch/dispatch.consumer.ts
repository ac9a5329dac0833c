import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type MessageStatusV1, type TargetingDecisionV1, Topic } from '@wt/contracts';
import { ContactSealer } from '@wt/identity';
import { KafkaPublisher, type OutgoingRecord, type RecordBatch } from '@wt/kafka';
import { WhatsAppCloudClient } from '@wt/whatsapp';
import { Counter, register } from 'prom-client';
import { DispatcherConfig } from '../dispatcher.config';
import { DispatchLedger } from './dispatch-ledger';
import { ThroughputLimit } from './throughput-limit';

const dispatched =
  (register.getSingleMetric('wt_dispatch_total') as Counter | undefined) ??
  new Counter({ name: 'wt_dispatch_total', help: 'Send attempts by result and Meta error code', labelNames: ['result', 'code'] });

/** Turns `send` decisions into WhatsApp template messages, at most once each. */
@Controller()
export class DispatchConsumer {
  private readonly logger = new Logger(DispatchConsumer.name);
  private readonly throughput: ThroughputLimit;

  constructor(
    private readonly ledger: DispatchLedger,
    private readonly client: WhatsAppCloudClient,
    private readonly sealer: ContactSealer,
    private readonly publisher: KafkaPublisher,
    private readonly config: DispatcherConfig,
  ) {
    this.throughput = new ThroughputLimit(config.WHATSAPP_MPS);
  }

  @EventPattern(Topic.TargetingDecisionsV1)
  async onDecisions(@Payload() batch: RecordBatch<Topic.TargetingDecisionsV1>): Promise<void> {
    const sends = batch.records.map((r) => r.value).filter((d) => d.outcome === 'send' && d.send);
    const claimed = await this.ledger.claim(sends);
    const queue = sends.filter((d) => claimed.has(d.decisionId));
    const statuses: OutgoingRecord<MessageStatusV1>[] = [];
    const worker = async () => {
      for (let decision = queue.shift(); decision; decision = queue.shift()) {
        const status = await this.send(decision);
        if (status) statuses.push(status);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.SEND_CONCURRENCY, queue.length) }, worker));
    await this.publisher.publish(Topic.WhatsappMessageStatusV1, statuses);
  }

  private async send(decision: TargetingDecisionV1): Promise<OutgoingRecord<MessageStatusV1> | undefined> {
    const send = decision.send!;
    await this.throughput.acquire(send.phoneNumberId);
    const result = await this.client.sendTemplate(
      send.phoneNumberId,
      this.sealer.open(send.contact),
      {
        name: send.templateName,
        language: { code: send.language },
        components: send.bodyParameters.length
          ? [{ type: 'body', parameters: send.bodyParameters.map((text) => ({ type: 'text' as const, text })) }]
          : undefined,
      },
      decision.decisionId,
    );
    const base = {
      decisionId: decision.decisionId,
      campaignId: decision.campaignId,
      businessId: decision.businessId,
      personId: decision.personId,
      occurredAt: new Date().toISOString(),
      reportedBy: 'dispatcher' as const,
    };
    switch (result.kind) {
      case 'accepted':
        await this.ledger.accepted(decision.decisionId, result.wamid);
        dispatched.inc({ result: 'accepted', code: '' });
        return { key: decision.personId, value: { ...base, status: 'accepted', wamid: result.wamid } };
      case 'rejected':
        await this.ledger.rejected(decision.decisionId, result.code);
        dispatched.inc({ result: 'rejected', code: String(result.code ?? result.httpStatus) });
        this.logger.warn(`decision ${decision.decisionId} rejected by WhatsApp: ${result.code ?? result.httpStatus} ${result.title}`);
        return {
          key: decision.personId,
          value: { ...base, status: 'rejected', errorCode: result.code ?? undefined, errorTitle: result.title },
        };
      case 'unknown':
        await this.ledger.unknown(decision.decisionId);
        dispatched.inc({ result: 'unknown', code: result.reason });
        // Meta may have accepted it: its status webhook (which echoes the decision id) will tell.
        this.logger.warn(`decision ${decision.decisionId}: no answer from WhatsApp (${result.reason}); left unknown, not resent`);
        return undefined;
    }
  }
}
