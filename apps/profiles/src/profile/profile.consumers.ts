import { Topic } from '@wt/contracts';
import { topicConsumer } from '@wt/kafka';
import { ProfileUpdates } from './profile-updates.service';

// One consumer per input topic, each delegating to ProfileUpdates.

/** `internal.engagement.normalized.v1`: engagement applied to interests. */
export const EngagementConsumer = topicConsumer(Topic.EngagementNormalizedV1, ProfileUpdates, (updates, batch) =>
  updates.engagement(batch),
);

/** `internal.consent.normalized.v1`: consent changes applied to the ledger and profiles. */
export const ConsentConsumer = topicConsumer(Topic.ConsentNormalizedV1, ProfileUpdates, (updates, batch) => updates.consent(batch));

/** `whatsapp.inbound.v1`: inbound messages open the customer-service window. */
export const InboundConsumer = topicConsumer(Topic.WhatsappInboundV1, ProfileUpdates, (updates, batch) => updates.inbound(batch));

/** `internal.identity.merges.v1`: BSUID-only people merged into a number's person. */
export const IdentityMergeConsumer = topicConsumer(Topic.IdentityMergesV1, ProfileUpdates, (updates, batch) => updates.merge(batch));
