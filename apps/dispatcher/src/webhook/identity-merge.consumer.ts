import { Topic } from '@wt/contracts';
import { topicConsumer } from '@wt/kafka';
import { WebhookIntake } from './webhook-intake';

/**
 * `internal.identity.merges.v1`: people merged by another service (ingest, when a business's event
 * carried a BSUID with the number it belongs to), handed to WebhookIntake, which moves the merged
 * person's rows as for the merges its own webhooks find.
 */
export const IdentityMergeConsumer = topicConsumer(Topic.IdentityMergesV1, WebhookIntake, (intake, batch) =>
  intake.applyMerges(batch.records.map((r) => ({ from: r.value.fromPersonId, into: r.value.intoPersonId, via: r.value.via }))),
);
