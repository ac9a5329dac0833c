import { Injectable } from '@nestjs/common';
import { type CampaignV1, Topic } from '@wt/contracts';
import { KafkaPublisher, type OutgoingRecord } from '@wt/kafka';
import { DataSource } from 'typeorm';
import { TransactionalOutbox } from '@wt/database';

export type CampaignRecord = OutgoingRecord<CampaignV1>;

/**
 * The transactional outbox of the campaign API. A campaign is stored first, with its record
 * written here in the same transaction, and published on `campaigns.v1` after the commit: a
 * campaign the database refused is never on the topic, and one it stored is published even if the
 * broker was away at that moment (by the relay). Per campaign, states are published in the order
 * they were stored, so the compacted topic always ends with the latest.
 */
@Injectable()
export class CampaignOutbox extends TransactionalOutbox<Topic.CampaignsV1> {
  constructor(dataSource: DataSource, publisher: KafkaPublisher) {
    super(dataSource, publisher, {
      table: 'campaign_outbox',
      topic: Topic.CampaignsV1,
      name: 'campaign',
      relayedMetric: 'wt_campaign_outbox_relayed_total',
      perKeyOrder: true,
    });
  }
}
