export * from './lib/seeded-random';
export * from './lib/simulated-population';
export * from './lib/archetype-population';
export * from './lib/sliding-window';
