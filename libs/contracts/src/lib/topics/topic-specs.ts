import { Topic } from './topic.enum';

export type CleanupPolicy = 'delete' | 'compact';

/** How a topic is laid out on the cluster. The stack script and the Kubernetes manifests read this. */
export interface TopicSpec {
  readonly topic: Topic;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** -1 keeps records forever (compacted topics keep the latest value per key). */
  readonly retentionMs: number;
  /** What the record key is; consumers rely on it for ordering. */
  readonly key: string;
  readonly description: string;
  readonly visibility: 'public' | 'internal';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** One entry per topic; `satisfies` makes a forgotten topic a compile error. */
export const TOPIC_SPECS = {
  [Topic.SocialEngagementV1]: {
    topic: Topic.SocialEngagementV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    key: "producer's choice (never read by the platform)",
    description: 'Engagement events from Facebook and Instagram.',
    visibility: 'public',
  },
  [Topic.ConsentV1]: {
    topic: Topic.ConsentV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: "producer's choice (never read by the platform)",
    description: 'Consent granted or revoked per business and purpose.',
    visibility: 'public',
  },
  [Topic.PrivacyRequestsV1]: {
    topic: Topic.PrivacyRequestsV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'requestId',
    description: 'GDPR erasure and export requests.',
    visibility: 'public',
  },
  [Topic.CampaignsV1]: {
    topic: Topic.CampaignsV1,
    partitions: 3,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'campaignId',
    description: 'Latest state of every campaign.',
    visibility: 'public',
  },
  [Topic.TargetingDecisionsV1]: {
    topic: Topic.TargetingDecisionsV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'personId',
    description:
      'Send or suppress decisions with their explanation. Published only once stored; at least once: a decision id may come again, and means one decision.',
    visibility: 'public',
  },
  [Topic.WhatsappMessageStatusV1]: {
    topic: Topic.WhatsappMessageStatusV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'personId',
    description: 'Message outcomes: accepted, sent, delivered, read, failed.',
    visibility: 'public',
  },
  [Topic.WhatsappInboundV1]: {
    topic: Topic.WhatsappInboundV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    key: 'personId',
    description: 'Messages people sent to a business.',
    visibility: 'public',
  },
  [Topic.AssistantHandoffsV1]: {
    topic: Topic.AssistantHandoffsV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'personId',
    description: 'Conversations the customer-service assistant hands over to a person.',
    visibility: 'public',
  },
  [Topic.EngagementNormalizedV1]: {
    topic: Topic.EngagementNormalizedV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    key: 'personId',
    description: 'Validated, pseudonymized engagement.',
    visibility: 'internal',
  },
  [Topic.ConsentNormalizedV1]: {
    topic: Topic.ConsentNormalizedV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'personId',
    description: 'Validated, pseudonymized consent changes.',
    visibility: 'internal',
  },
  [Topic.ProfileSnapshotsV1]: {
    topic: Topic.ProfileSnapshotsV1,
    partitions: 6,
    cleanupPolicy: 'compact',
    retentionMs: -1,
    key: 'personId',
    description: 'Latest profile per person; a tombstone after erasure.',
    visibility: 'internal',
  },
  [Topic.AssistantRepliesV1]: {
    topic: Topic.AssistantRepliesV1,
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    key: 'personId',
    description: 'Free-form replies to send inside the 24-hour customer-service window.',
    visibility: 'internal',
  },
  [Topic.BusinessSendingSignalsV1]: {
    topic: Topic.BusinessSendingSignalsV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'businessId',
    description: 'Campaign pauses (131048) and sending halts (190) decided from WhatsApp answers.',
    visibility: 'internal',
  },
  [Topic.PrivacyErasuresV1]: {
    topic: Topic.PrivacyErasuresV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'personId',
    description: 'People erased (GDPR): delete what is held under the personId and never message them.',
    visibility: 'internal',
  },
  [Topic.IdentityMergesV1]: {
    topic: Topic.IdentityMergesV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'intoPersonId',
    description:
      'A person known only by a business-scoped user id is the person of a number: what is held under the first moves to the second.',
    visibility: 'internal',
  },
  [Topic.PrivacyExportsV1]: {
    topic: Topic.PrivacyExportsV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 7 * DAY_MS,
    key: 'requestId',
    description:
      'GDPR export answers: everything one service holds about a person, as JSON (`source`: profiles first, then the assistant answering it under the same requestId).',
    visibility: 'internal',
  },
  [Topic.DeadLetterV1]: {
    topic: Topic.DeadLetterV1,
    partitions: 3,
    cleanupPolicy: 'delete',
    retentionMs: 30 * DAY_MS,
    key: 'origin topic and partition (never the original key)',
    description:
      'Rejected messages with the original payload and the reason. `schema_violation`: the payload breaks its contract; ' +
      '`unknown_type`: its only problem is a well-formed `type` the platform does not know (a producer ahead of us: ' +
      'replay with `--reason unknown_type` once the type is supported); `invalid_phone`, `timestamp_in_future`, ' +
      '`timestamp_too_old` (past the retention window), `oversized` (over 256 KiB), `malformed_json`, `processing_failed` ' +
      '(the consumer failed on it alone), `null_value` (a tombstone where none means anything). The original is sealed ' +
      "(`sealedPayload`): under the person's key when it names one, so erasure makes it unreadable.",
    visibility: 'internal',
  },
} as const satisfies { readonly [T in Topic]: TopicSpec & { readonly topic: T } };

export const ALL_TOPIC_SPECS: readonly TopicSpec[] = Object.values(TOPIC_SPECS);

/** Broker-level configuration entries for a topic, as kafkajs and Strimzi take them. */
export function topicConfigEntries(spec: TopicSpec): Record<string, string> {
  return {
    'cleanup.policy': spec.cleanupPolicy,
    'retention.ms': String(spec.retentionMs),
    ...(spec.cleanupPolicy === 'compact' ? { 'min.cleanable.dirty.ratio': '0.1', 'segment.ms': String(DAY_MS) } : {}),
  };
}

/**
 * Topics where a null value (tombstone) means something: the key's state was deleted (a profile
 * snapshot's tombstone after erasure). On every other topic a null value is refused as `null_value`.
 */
export const TOPICS_WITH_TOMBSTONES: ReadonlySet<Topic> = new Set([Topic.ProfileSnapshotsV1]);

/**
 * Largest record value (bytes) the platform accepts at any door: a consumed record over it is
 * dead-lettered as `oversized` (its first MAX_RECORD_BYTES kept, sealed), and the HTTP doors can
 * take their body limit from it. A dead letter of a record this size still fits the dead-letter
 * topic's max.message.bytes (the broker's default, 1 MiB): sealed and base64-encoded, it is ≈ 1.8×.
 */
export const MAX_RECORD_BYTES = 256 * 1024;
