import { type ClassConstructor } from 'class-transformer';
import { AssistantHandoffV1 } from '../payloads/assistant-handoff.v1';
import { AssistantReplyV1 } from '../payloads/assistant-reply.v1';
import { BusinessSendingSignalV1 } from '../payloads/business-sending-signal.v1';
import { CampaignV1 } from '../payloads/campaign.v1';
import { ConsentEventV1 } from '../payloads/consent-event.v1';
import { ConsentNormalizedV1 } from '../payloads/consent-normalized.v1';
import { DeadLetterV1 } from '../payloads/dead-letter.v1';
import { EngagementEventV1 } from '../payloads/engagement-event.v1';
import { EngagementNormalizedV1 } from '../payloads/engagement-normalized.v1';
import { InboundMessageV1 } from '../payloads/inbound-message.v1';
import { MessageStatusV1 } from '../payloads/message-status.v1';
import { PersonMergeV1 } from '../payloads/person-merge.v1';
import { PrivacyErasureV1 } from '../payloads/privacy-erasure.v1';
import { PrivacyExportV1 } from '../payloads/privacy-export.v1';
import { PrivacyRequestV1 } from '../payloads/privacy-request.v1';
import { ProfileSnapshotV1 } from '../payloads/profile-snapshot.v1';
import { TargetingDecisionV1 } from '../payloads/targeting-decision.v1';
import { Topic } from './topic.enum';

/**
 * The payload class of every topic: used to validate what a service reads, and (through
 * `TopicPayload`) to make publishing the wrong payload on a topic a compile error.
 */
export const TOPIC_PAYLOAD_CLASSES = {
  [Topic.SocialEngagementV1]: EngagementEventV1,
  [Topic.ConsentV1]: ConsentEventV1,
  [Topic.PrivacyRequestsV1]: PrivacyRequestV1,
  [Topic.CampaignsV1]: CampaignV1,
  [Topic.TargetingDecisionsV1]: TargetingDecisionV1,
  [Topic.WhatsappMessageStatusV1]: MessageStatusV1,
  [Topic.WhatsappInboundV1]: InboundMessageV1,
  [Topic.AssistantHandoffsV1]: AssistantHandoffV1,
  [Topic.EngagementNormalizedV1]: EngagementNormalizedV1,
  [Topic.ConsentNormalizedV1]: ConsentNormalizedV1,
  [Topic.ProfileSnapshotsV1]: ProfileSnapshotV1,
  [Topic.AssistantRepliesV1]: AssistantReplyV1,
  [Topic.BusinessSendingSignalsV1]: BusinessSendingSignalV1,
  [Topic.PrivacyErasuresV1]: PrivacyErasureV1,
  [Topic.PrivacyExportsV1]: PrivacyExportV1,
  [Topic.IdentityMergesV1]: PersonMergeV1,
  [Topic.DeadLetterV1]: DeadLetterV1,
} as const satisfies { readonly [T in Topic]: ClassConstructor<object> };

/** The payload type of a topic: `TopicPayload<Topic.ConsentV1>` is `ConsentEventV1`. */
export type TopicPayload<T extends Topic> = InstanceType<(typeof TOPIC_PAYLOAD_CLASSES)[T]>;
