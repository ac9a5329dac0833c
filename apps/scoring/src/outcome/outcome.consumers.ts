import { Topic } from '@wt/contracts';
import { onlyRecords, topicConsumer } from '@wt/kafka';
import { OutcomeIntake } from './outcome-intake';

// One consumer per input topic, each handing the records' values to OutcomeIntake.

/** Statuses of our sends (delivered, read, billed, 131026 unreachable). */
export const MessageStatusConsumer = topicConsumer(Topic.WhatsappMessageStatusV1, OutcomeIntake, (outcomes, batch) =>
  outcomes.statuses(batch.records.map((r) => r.value)),
);

/** Messages and button taps to a business's number (replies, clicks). */
export const InboundConsumer = topicConsumer(Topic.WhatsappInboundV1, OutcomeIntake, (outcomes, batch) =>
  outcomes.inbound(batch.records.map((r) => r.value)),
);

const PURCHASE = Buffer.from('"purchase"');
const CLICK = Buffer.from('"click"');
const BUSINESS = Buffer.from('"businessId"');

/**
 * Purchases and clicks on a business's own pages. Only those matter here: a record without the
 * words in its bytes is skipped before it is even parsed (their JSON always holds `"purchase"`, or
 * `"click"` and `"businessId"`; what else holds them is filtered by OutcomeIntake).
 */
export const EngagementConsumer = topicConsumer(
  Topic.EngagementNormalizedV1,
  OutcomeIntake,
  (outcomes, batch) => outcomes.engagements(batch.records.map((r) => r.value)),
  onlyRecords((value) => value.includes(PURCHASE) || (value.includes(CLICK) && value.includes(BUSINESS))),
);
