export * from './lib/cloud-api.client';
export * from './lib/cloud-api.types';
export * from './lib/phone-masking';
export * from './lib/webhook-signature';
export * from './lib/webhook.types';
export * from './lib/whatsapp-error-codes';
export * from './lib/opt-out-keywords';
export * from './lib/graph-api-versions';
