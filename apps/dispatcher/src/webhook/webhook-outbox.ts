import { Injectable } from '@nestjs/common';
import { BatchOutbox, PUBLISH_LEASE_MS } from '@wt/database';
import { KafkaPublisher } from '@wt/kafka';
import { DataSource } from 'typeorm';

/**
 * The transactional outbox of Meta's webhooks. WebhookIntake records a webhook and writes what it
 * publishes here, in one transaction; once that commits the webhook's effect is durable and it is
 * answered 200, without waiting for the publish after the commit. The publish holds no
 * database connection (`publishClaimed`): while a broker fails over, webhooks waiting on Kafka
 * held the pool and stalled every other piece of work. A row the writer could not publish (the
 * broker refused, the process died) is published by the relay once older than the writer's claim,
 * PUBLISH_LEASE_MS: longer than any publish, so a status is published once.
 */
@Injectable()
export class WebhookOutbox extends BatchOutbox {
  constructor(dataSource: DataSource, publisher: KafkaPublisher) {
    super(dataSource, publisher, {
      table: 'webhook_outbox',
      name: 'webhook',
      relayedMetric: 'wt_webhook_outbox_relayed_total',
      relayAfterMs: PUBLISH_LEASE_MS,
    });
  }
}
