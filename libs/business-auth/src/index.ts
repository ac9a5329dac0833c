export * from './lib/api-key.store';
export * from './lib/business-auth.guard';
export * from './lib/api-key.command';
export * from './lib/business-api.decorator';
