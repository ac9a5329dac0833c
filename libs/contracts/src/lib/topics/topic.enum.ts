/**
 * Every Kafka topic of the platform.
 *
 * The public topics are the platform's API for other services.
 * NEVER rename a topic or change the meaning of its payload: add a new version (`.v2`) beside it,
 * run both while consumers move, then retire the old one.
 */
export enum Topic {
  // --- Public inputs: produced by other teams' services ---
  /** Engagement on Facebook or Instagram, keyed by anything (we re-key by pseudonym). */
  SocialEngagementV1 = 'social.engagement.v1',
  /** Consent granted or revoked, per business and purpose. */
  ConsentV1 = 'consent.v1',
  /** GDPR erasure and export requests. */
  PrivacyRequestsV1 = 'privacy.requests.v1',

  // --- Public: produced by the platform, read by anyone entitled ---
  /** Businesses' campaigns, keyed by campaignId, compacted: the latest state of each campaign. */
  CampaignsV1 = 'campaigns.v1',
  /** One decision per (campaign, person): send or suppress, with its explanation. */
  TargetingDecisionsV1 = 'targeting.decisions.v1',
  /** What happened to each message: accepted, sent, delivered, read, failed (with Meta's error code). */
  WhatsappMessageStatusV1 = 'whatsapp.message-status.v1',
  /** Messages people wrote to a business on WhatsApp. */
  WhatsappInboundV1 = 'whatsapp.inbound.v1',

  /** The customer-service assistant hands a conversation over to a person of the business. Keyed by personId. */
  AssistantHandoffsV1 = 'assistant.handoffs.v1',

  // --- Internal: between the platform's own services; may change with a new version ---
  /** Validated engagement, phone replaced by a pseudonym and an encrypted contact. Keyed by personId. */
  EngagementNormalizedV1 = 'internal.engagement.normalized.v1',
  /** Validated consent changes, keyed by personId. */
  ConsentNormalizedV1 = 'internal.consent.normalized.v1',
  /** The latest profile of each person, compacted, keyed by personId. */
  ProfileSnapshotsV1 = 'internal.profile.snapshots.v1',
  /** Free-form replies the assistant asks the dispatcher to send inside the 24 h window. Keyed by personId. */
  AssistantRepliesV1 = 'internal.assistant.replies.v1',
  /** Campaign pauses and sending halts from Meta's answers (131048, 190), keyed by businessId. */
  BusinessSendingSignalsV1 = 'internal.whatsapp.business-signals.v1',
  /** A person was erased (GDPR): every service deletes what it holds under this personId. Keyed by personId. */
  PrivacyErasuresV1 = 'internal.privacy.erasures.v1',
  /** A person known only by a business-scoped user id is the person of a number: merge the first into the second. Keyed by intoPersonId. */
  IdentityMergesV1 = 'internal.identity.merges.v1',
  /** Everything a service holds about a person, answering a GDPR export request (profiles, then the assistant). Keyed by requestId. */
  PrivacyExportsV1 = 'internal.privacy.exports.v1',

  // --- Dead letters: every message a service could not accept, with the reason ---
  DeadLetterV1 = 'platform.dead-letter.v1',
}
