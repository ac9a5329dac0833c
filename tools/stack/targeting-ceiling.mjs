#!/usr/bin/env node
// `node tools/stack/targeting-ceiling.mjs` (after a build): how far targeting from engagement alone
// can go on the `simulation` population, whatever the model. Each person engages with a category in
// proportion to the square of their affinity for it (plus 25 % noise), so infinite engagement data
// reveals at best each person's SHARE of engagement per category, not the affinity itself: a person
// with three favourite categories shows a third of the share of a person with one, for the same
// affinity. Ranks the same people per topic by that true share, by the true affinity (the interest
// oracle), by the share times the true probability that a message is delivered (`share × delivered`:
// what the interest oracle does not know either: numbers not on WhatsApp, people who stopped the
// business's marketing, Meta's per-user marketing limit) and by the true purchase probability (the
// oracle), and prints the expected conversions of each.
//
// EVAL_ROUNDS unset: one shot per topic, the top EVAL_BUDGET of EVAL_PEOPLE, no caps. EVAL_ROUNDS=n:
// n rounds over the topics in turn, EVAL_BUDGET a round, each person at most EVAL_CAP (2) messages in
// the whole run: the evaluation through the services, whose rounds are minutes apart, so the weekly
// cap never resets (e.g. EVAL_PEOPLE=750 EVAL_BUDGET=30 EVAL_ROUNDS=24). Reads the hidden
// preferences: a measurement of the population, never something a service may do.
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';

const require = createRequire(import.meta.url);
const { SimulatedPopulation } = require(path.join(ROOT, 'dist/libs/simulation/src/index.js'));
const people = Number(process.env.EVAL_PEOPLE ?? 1500);
const budget = Number(process.env.EVAL_BUDGET ?? 60);
const rounds = Number(process.env.EVAL_ROUNDS ?? 0);
const cap = Number(process.env.EVAL_CAP ?? 2);
const noise = 0.25; // SimulatedPopulation's default engagementNoise
const sim = new SimulatedPopulation({ seed: process.env.EVAL_SEED ?? 'wt-eval-v1' });
const phones = sim.phoneNumbers(people, 'eval');
const KEYS = /** @type {const} */ (['share', 'affinity', 'shareDelivered', 'oracle']);
/** @typedef {Record<(typeof KEYS)[number], number>} Row */
const totals = { share: 0, affinity: 0, shareDelivered: 0, oracle: 0 };
/** Per ranking: messages each person got so far (only with EVAL_ROUNDS). */
const sent = Object.fromEntries(KEYS.map((k) => [k, new Map()]));
/** @param {string} category @returns {(Row & {phone: string})[]} */
const rowsOf = (category) =>
  phones.map((/** @type {string} */ phone) => {
    const p = sim.preferences(phone);
    const squares = sim.categories.reduce((/** @type {number} */ sum, /** @type {string} */ c) => sum + (p.affinity[c] ?? 0) ** 2, 0);
    const share = (1 - noise) * ((p.affinity[category] ?? 0) ** 2 / squares) + noise / sim.categories.length;
    const probabilities = sim.probabilities(phone, { businessId: 'ceiling', categories: [category] });
    return {
      phone,
      share,
      affinity: sim.relevance(phone, [category]),
      shareDelivered: share * probabilities.delivered,
      oracle: probabilities.purchase,
    };
  });
const topics = rounds > 0 ? Array.from({ length: rounds }, (_, r) => sim.categories[r % sim.categories.length]) : sim.categories;
for (const category of topics) {
  const rows = rowsOf(category);
  for (const key of KEYS) {
    const chosen = [...rows]
      .filter((r) => rounds === 0 || (sent[key].get(r.phone) ?? 0) < cap)
      .sort((a, b) => b[key] - a[key])
      .slice(0, budget);
    for (const r of chosen) sent[key].set(r.phone, (sent[key].get(r.phone) ?? 0) + 1);
    totals[key] += chosen.reduce((sum, r) => sum + r.oracle, 0);
  }
}
const over = (/** @type {number} */ x) => (x / totals.affinity).toFixed(3);
console.log(
  `${people} people, top ${budget} per topic, ${rounds > 0 ? `${rounds} rounds, at most ${cap} messages a person` : `${sim.categories.length} topics, no caps`}: ` +
    `expected conversions ranking by true engagement share ${totals.share.toFixed(1)}, by true affinity (interest oracle) ${totals.affinity.toFixed(1)}, ` +
    `by share × delivered ${totals.shareDelivered.toFixed(1)}, by purchase probability (oracle) ${totals.oracle.toFixed(1)}; ` +
    `over the interest oracle: share ${over(totals.share)}, share × delivered ${over(totals.shareDelivered)}, oracle ${over(totals.oracle)}`,
);
