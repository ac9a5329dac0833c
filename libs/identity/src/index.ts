export * from './lib/business-scoped-user-id';
export * from './lib/contact-sealer';
export * from './lib/key-encryption-keys';
export * from './lib/person-keys';
export * from './lib/platform-key-sealer';
export * from './lib/phone-number';
export * from './lib/pseudonymizer';
export * from './lib/redact';
