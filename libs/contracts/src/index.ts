import 'reflect-metadata';

export * from './lib/payloads/campaign.v1';
export * from './lib/payloads/common';
export * from './lib/payloads/consent-event.v1';
export * from './lib/payloads/consent-normalized.v1';
export * from './lib/payloads/dead-letter.v1';
export * from './lib/payloads/engagement-event.v1';
export * from './lib/payloads/engagement-normalized.v1';
export * from './lib/payloads/inbound-message.v1';
export * from './lib/payloads/message-status.v1';
export * from './lib/payloads/privacy-request.v1';
export * from './lib/payloads/profile-snapshot.v1';
export * from './lib/payloads/targeting-decision.v1';
export * from './lib/topics/topic-payloads';
export * from './lib/topics/topic-specs';
export * from './lib/topics/topic.enum';
export * from './lib/validation/validate-payload';
