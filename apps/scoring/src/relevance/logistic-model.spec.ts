import { campaignFixture, snapshotFixture } from '../testing/fixtures';
import { EMPTY_HISTORY, extractFeatures, type FeatureValues } from './features';
import { type Example, hashNormal, LogisticModel, PRIOR_PRECISION, solve } from './logistic-model';

const now = new Date('2026-11-28T12:00:00Z');
const interested = extractFeatures(snapshotFixture(), campaignFixture(), EMPTY_HISTORY, now).values;
const tired = extractFeatures(snapshotFixture(), campaignFixture(), { ...EMPTY_HISTORY, sentLastWeek: 6 }, now).values;

describe('LogisticModel', () => {
  it('starts from a prior that favours interest and penalises fatigue', () => {
    const model = LogisticModel.coldStart();
    expect(model.modelVersion).toBe('logreg-v0');
    expect(model.predict(interested)).toBeGreaterThan(model.predict(tired));
    expect(model.predict({ ...interested, interest: 0, 'interest.share': 0 })).toBeLessThan(0.3);
  });

  it("ranks by the share of the person's interests the campaign matches, not by how much they engage overall", () => {
    const model = LogisticModel.coldStart();
    const focused = extractFeatures(
      snapshotFixture({ interests: { 'running-shoes': 6, cooking: 1 } }),
      campaignFixture(),
      EMPTY_HISTORY,
      now,
    ).values;
    const scattered = extractFeatures(
      snapshotFixture({ interests: { 'running-shoes': 7, cooking: 20, wine: 20 } }),
      campaignFixture(),
      EMPTY_HISTORY,
      now,
    ).values;
    expect(focused['interest.affinity']).toBeGreaterThan(scattered['interest.affinity']);
    expect(model.predict(focused)).toBeGreaterThan(model.predict(scattered));
  });

  it('learns online from outcomes: a feature that goes with opt-outs loses weight', () => {
    // Hidden truth: people heavy on Instagram opt out, the others convert.
    const instagram: FeatureValues = { ...interested, 'platform.instagram_share': 1 };
    const facebook: FeatureValues = { ...interested, 'platform.instagram_share': 0 };
    const examples: Example[] = [];
    for (let i = 0; i < 200; i++) {
      examples.push({ features: instagram, label: 0, weight: 5 }, { features: facebook, label: 1, weight: 3 });
    }
    let model = LogisticModel.coldStart();
    for (let i = 0; i < examples.length; i += 20) model = model.learn(examples.slice(i, i + 20));
    expect(model.version).toBe(20);
    expect(model.examples).toBe(400);
    expect(model.weights['platform.instagram_share']).toBeLessThan(-1);
    expect(model.predict(facebook)).toBeGreaterThan(model.predict(instagram) + 0.3);
  });

  it('recovers a hidden logistic truth from outcomes in small batches as well as from all at once, and grows surer of it', () => {
    // Truth: log-odds = 2 + 2 * affinity, the affinity around -1.5 (so it moves with the bias); the prior believes 0.8.
    let seed = 0;
    const features = (a: number): FeatureValues => ({
      ...interested,
      'interest.affinity': a,
      interest: 0,
      'interest.share': 0,
      recency: 0,
      'business.engagement': 0,
    });
    const examples: Example[] = Array.from({ length: 8000 }, () => {
      const a = -1.5 + hashNormal('x', String(seed++));
      const p = 1 / (1 + Math.exp(-(2 + 2 * a)));
      return { features: features(a), label: (hashNormal('y', String(seed++)) < quantile(p) ? 1 : 0) as 0 | 1, weight: 1 };
    });
    const atOnce = LogisticModel.coldStart().learn(examples);
    let model = LogisticModel.coldStart();
    for (let i = 0; i < examples.length; i += 100) model = model.learn(examples.slice(i, i + 100));
    expect(model.weights['interest.affinity']).toBeGreaterThan(1.5);
    expect(model.weights['interest.affinity']).toBeLessThan(2.2);
    expect(Math.abs(model.weights['interest.affinity'] - atOnce.weights['interest.affinity'])).toBeLessThan(0.15);
    expect(model.precisionOf('interest.affinity')).toBeGreaterThan(10 * PRIOR_PRECISION['interest.affinity']);
  });

  it('explores less as it learns: Thompson draws are fixed per key and their spread shrinks with evidence', () => {
    const cold = LogisticModel.coldStart();
    expect(cold.sample(interested, 'c:p').score).toBe(cold.sample(interested, 'c:p').score);
    expect(cold.sample(interested, 'c:p', { scale: 0 }).score).toBeCloseTo(cold.predict(interested), 10);
    const examples: Example[] = Array.from({ length: 2000 }, (_, i) => ({
      features: interested,
      label: (i % 3 === 0 ? 1 : 0) as 0 | 1,
      weight: 1,
    }));
    const warm = cold.learn(examples);
    expect(warm.uncertainty(interested)).toBeLessThan(cold.uncertainty(interested) / 3);
    const spread = (m: LogisticModel) =>
      Math.max(...Array.from({ length: 50 }, (_, i) => Math.abs(m.sample(interested, `c:${i}`).score - m.predict(interested))));
    expect(spread(warm)).toBeLessThan(spread(cold));
  });

  it('explains with per-category interest contributions, largest first', () => {
    const vector = extractFeatures(
      snapshotFixture({ interests: { 'running-shoes': 6, fitness: 2 } }),
      campaignFixture(),
      EMPTY_HISTORY,
      now,
    );
    const factors = LogisticModel.coldStart().explain(vector);
    const perCategory = factors.filter((f) => f.name === 'interest.running_shoes' || f.name === 'interest.fitness');
    expect(perCategory.map((f) => f.name)).toEqual(['interest.running_shoes', 'interest.fitness']);
    expect(perCategory[0].contribution).toBeCloseTo(3 * perCategory[1].contribution, 3);
    expect(factors.every((f, i) => i === 0 || Math.abs(f.contribution) <= Math.abs(factors[i - 1].contribution))).toBe(true);
  });

  it('explains every behaviour signal that contributes: purchases, engagement mix, short-term intent, response history, fatigue', () => {
    const snapshot = snapshotFixture({
      interests: { 'running-shoes': 6 },
      signals: {
        purchases: { 'running-shoes': 2 },
        engagementMix: { passive: 2, social: 1, commercial: 3 },
        recentInterests: { 'running-shoes': 5 },
        recentHalfLifeHours: 24,
      },
      firstPartyPurchases: { acme: 1 },
    });
    const history = {
      sentLastDay: 1,
      sentLastWeek: 2,
      byBusiness: { acme: { sentLastDay: 1, sentLastWeek: 2 } },
      responses: { acme: { delivered: 6, read: 6, clicked: 3, purchased: 2, optedOut: 0 } },
    };
    const vector = extractFeatures(snapshot, campaignFixture(), history, now);
    const names = LogisticModel.coldStart()
      .explain(vector, 20)
      .map((f) => f.name);
    for (const name of [
      'purchases.category',
      'purchases.any',
      'purchases.business',
      'mix.commercial',
      'intent.recent',
      'response.purchase',
      'response.click',
      'fatigue',
    ])
      expect(names).toContain(name);
    // Without cross-app consent, nothing combined from other apps or businesses is used or shown.
    const firstParty = extractFeatures(
      {
        ...snapshot,
        signalBasis: 'first_party_only',
        consents: { whatsappMarketing: ['acme'], crossAppProfiling: false },
      } as typeof snapshot,
      campaignFixture(),
      history,
      now,
    );
    expect(firstParty.values).toMatchObject({ 'purchases.category': 0, 'purchases.any': 0, 'mix.commercial': 0, 'intent.recent': 0 });
    expect(firstParty.values['purchases.business']).toBeGreaterThan(0);
  });

  it("shrinks a person's response rates toward the population, more when they got few messages", () => {
    const one = extractFeatures(
      snapshotFixture(),
      campaignFixture(),
      { ...EMPTY_HISTORY, responses: { acme: { delivered: 1, read: 1, clicked: 1, purchased: 1, optedOut: 0 } } },
      now,
    );
    const ten = extractFeatures(
      snapshotFixture(),
      campaignFixture(),
      { ...EMPTY_HISTORY, responses: { acme: { delivered: 10, read: 10, clicked: 10, purchased: 10, optedOut: 0 } } },
      now,
    );
    const none = extractFeatures(snapshotFixture(), campaignFixture(), EMPTY_HISTORY, now);
    expect(none.values['response.purchase']).toBe(0);
    expect(one.values['response.purchase']).toBeGreaterThan(0);
    expect(ten.values['response.purchase']).toBeGreaterThan(1.5 * one.values['response.purchase']);
  });

  it('solves the Newton system exactly', () => {
    expect(
      solve(
        [
          [4, 1],
          [1, 3],
        ],
        [1, 2],
      ).map((x) => Math.round(x * 1e6) / 1e6),
    ).toEqual([0.090909, 0.636364]);
  });
});

/** A standard normal below which a draw falls with probability p (by bisection on the normal CDF). */
function quantile(p: number): number {
  const cdf = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
  let lo = -8;
  let hi = 8;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function erf(x: number): number {
  // Abramowitz and Stegun 7.1.26 (error below 1.5e-7).
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
