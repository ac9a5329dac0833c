#!/usr/bin/env node
// `node tools/stack/targeting-ceiling.mjs` (after a build): how far targeting from engagement alone
// can go on the `simulation` population, whatever the model. Each person engages with a category in
// proportion to the square of their affinity for it (plus 25 % noise), so infinite engagement data
// reveals at best each person's SHARE of engagement per category, not the affinity itself: a person
// with three favourite categories shows a third of the share of a person with one, for the same
// affinity. Ranks the same people per topic (top EVAL_BUDGET of EVAL_PEOPLE, one shot, no caps) by
// that true share, by the true affinity (the interest oracle) and by the true purchase probability
// (the oracle), and prints the expected conversions of each. Reads the hidden preferences: a
// measurement of the population, never something a service may do.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const { SimulatedPopulation } = require(path.join(ROOT, 'dist/libs/simulation/src/index.js'));
const people = Number(process.env.EVAL_PEOPLE ?? 1500);
const budget = Number(process.env.EVAL_BUDGET ?? 60);
const noise = 0.25; // SimulatedPopulation's default engagementNoise
const sim = new SimulatedPopulation({ seed: process.env.EVAL_SEED ?? 'wt-eval-v1' });
const phones = sim.phoneNumbers(people, 'eval');
const totals = { share: 0, affinity: 0, oracle: 0 };
for (const category of sim.categories) {
  const rows = phones.map((/** @type {string} */ phone) => {
    const p = sim.preferences(phone);
    const squares = sim.categories.reduce((/** @type {number} */ sum, /** @type {string} */ c) => sum + (p.affinity[c] ?? 0) ** 2, 0);
    return {
      share: (1 - noise) * ((p.affinity[category] ?? 0) ** 2 / squares) + noise / sim.categories.length,
      affinity: sim.relevance(phone, [category]),
      oracle: sim.probabilities(phone, { businessId: 'ceiling', categories: [category] }).purchase,
    };
  });
  for (const key of /** @type {const} */ (['share', 'affinity', 'oracle']))
    totals[key] += [...rows]
      .sort((a, b) => b[key] - a[key])
      .slice(0, budget)
      .reduce((sum, r) => sum + r.oracle, 0);
}
console.log(
  `${people} people, top ${budget} per topic over ${sim.categories.length} topics: expected conversions ranking by true engagement share ${totals.share.toFixed(1)}, ` +
    `by true affinity (interest oracle) ${totals.affinity.toFixed(1)}, by purchase probability (oracle) ${totals.oracle.toFixed(1)}; ` +
    `share / interest oracle ${(totals.share / totals.affinity).toFixed(2)}, interest oracle / oracle ${(totals.affinity / totals.oracle).toFixed(2)}`,
);
