import { Injectable } from '@nestjs/common';
import { type TargetingDecisionV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import { DataSource } from 'typeorm';
import { TransactionalOutbox } from '@wt/database';

export type DecisionRecord = OutgoingRecord<TargetingDecisionV1>;

/**
 * The transactional outbox of decisions. A decision is acted on (the dispatcher sends) as soon as
 * it is on the topic, so it must be published only if its transaction commits: published before a
 * commit that then failed, it would be a send that no budget, cap or later decision knows of, and
 * the retry could decide otherwise. So the engine writes the records here in its transaction,
 * publishes them after the commit and deletes the row; if it cannot (the broker is down, the
 * process dies), the relay publishes the row a few seconds later. At least once: a record may come
 * twice, with the same decision id, which the dispatcher sends once.
 */
@Injectable()
export class DecisionOutbox extends TransactionalOutbox<Topic.TargetingDecisionsV1> {
  constructor(dataSource: DataSource, publisher: KafkaPublisher) {
    super(dataSource, publisher, {
      table: 'decision_outbox',
      topic: Topic.TargetingDecisionsV1,
      name: 'decision',
      relayedMetric: 'wt_decision_outbox_relayed_total',
    });
  }
}
