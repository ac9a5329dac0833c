export * from './lib/seeded-random';
export * from './lib/simulated-population';
