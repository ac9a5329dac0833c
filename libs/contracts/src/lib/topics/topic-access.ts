import { Topic } from './topic.enum';

/** The platform's services that connect to Kafka, each with its own identity (KafkaUser) and group. */
export type KafkaService = 'ingest' | 'profiles' | 'scoring' | 'dispatcher' | 'assistant';

export interface TopicAccess {
  /** Topics the service's consumer group reads (its handlers' `@EventPattern`s). */
  readonly consumes: readonly Topic[];
  /** Topics the service publishes to. Every consumer also dead-letters (Topic.DeadLetterV1). */
  readonly produces: readonly Topic[];
}

/**
 * Who reads and writes which topic: the source of each service's Kafka ACLs (the KafkaUser
 * manifests in deploy/ are generated from it) and checked against the code by tools/ops
 * (consumes against the handlers, both against the topics each app's code names). A service
 * that starts reading or writing a topic adds it here, or its credentials are refused by the broker.
 */
export const TOPIC_ACCESS = {
  ingest: {
    consumes: [Topic.SocialEngagementV1, Topic.ConsentV1],
    produces: [Topic.EngagementNormalizedV1, Topic.ConsentNormalizedV1, Topic.IdentityMergesV1, Topic.DeadLetterV1],
  },
  profiles: {
    consumes: [
      Topic.EngagementNormalizedV1,
      Topic.ConsentNormalizedV1,
      Topic.PrivacyRequestsV1,
      Topic.WhatsappInboundV1,
      Topic.IdentityMergesV1,
    ],
    produces: [Topic.ProfileSnapshotsV1, Topic.PrivacyErasuresV1, Topic.PrivacyExportsV1, Topic.DeadLetterV1],
  },
  scoring: {
    consumes: [
      Topic.CampaignsV1,
      Topic.ProfileSnapshotsV1,
      Topic.EngagementNormalizedV1,
      Topic.WhatsappMessageStatusV1,
      Topic.WhatsappInboundV1,
      Topic.BusinessSendingSignalsV1,
      Topic.IdentityMergesV1,
    ],
    produces: [Topic.CampaignsV1, Topic.TargetingDecisionsV1, Topic.DeadLetterV1],
  },
  dispatcher: {
    consumes: [
      Topic.TargetingDecisionsV1,
      Topic.AssistantRepliesV1,
      Topic.CampaignsV1,
      Topic.EngagementNormalizedV1,
      Topic.IdentityMergesV1,
    ],
    produces: [
      Topic.WhatsappMessageStatusV1,
      Topic.WhatsappInboundV1,
      Topic.BusinessSendingSignalsV1,
      Topic.ConsentV1,
      Topic.IdentityMergesV1,
      Topic.DeadLetterV1,
    ],
  },
  assistant: {
    consumes: [
      Topic.WhatsappInboundV1,
      Topic.TargetingDecisionsV1,
      Topic.WhatsappMessageStatusV1,
      Topic.PrivacyErasuresV1,
      Topic.PrivacyExportsV1,
    ],
    produces: [
      Topic.AssistantRepliesV1,
      Topic.AssistantHandoffsV1,
      Topic.ConsentV1,
      Topic.PrivacyRequestsV1,
      Topic.PrivacyExportsV1,
      Topic.DeadLetterV1,
    ],
  },
} as const satisfies Record<KafkaService, TopicAccess>;

export const KAFKA_SERVICES = Object.keys(TOPIC_ACCESS) as KafkaService[];

/** A service's consumer group id (`KAFKA_GROUP_PREFIX` + '.' + service), as every main.ts names it. */
export function consumerGroupOf(prefix: string, service: KafkaService): string {
  return `${prefix}.${service}`;
}

/** One Kafka ACL of a service, in the terms of Strimzi's KafkaUser (`simple` authorization). */
export interface KafkaAcl {
  readonly resource: { readonly type: 'topic' | 'group'; readonly name: string; readonly patternType: 'literal' };
  readonly operations: readonly ('Read' | 'Write' | 'Describe')[];
}

/**
 * Exactly what a service may do on the cluster: read the topics it consumes (in its own group),
 * write the topics it produces. Nothing else: no create, delete, alter or cluster-wide right.
 */
export function kafkaAclsOf(service: KafkaService, groupPrefix: string): KafkaAcl[] {
  const access: TopicAccess = TOPIC_ACCESS[service];
  const topic = (name: string, operations: KafkaAcl['operations']): KafkaAcl => ({
    resource: { type: 'topic', name, patternType: 'literal' },
    operations,
  });
  return [
    ...access.consumes.map((name) => topic(name, ['Read', 'Describe'])),
    ...access.produces.map((name) => topic(name, ['Write', 'Describe'])),
    ...(access.consumes.length > 0
      ? [
          {
            resource: { type: 'group', name: consumerGroupOf(groupPrefix, service), patternType: 'literal' },
            operations: ['Read'],
          } as const,
        ]
      : []),
  ];
}
