export * from './lib/default-rate-cards';
export * from './lib/rate-book';
export * from './lib/rate-card';
export * from './lib/volume-tiers';
