export * from './lib/contact-sealer';
export * from './lib/phone-number';
export * from './lib/pseudonymizer';
export * from './lib/redact';
