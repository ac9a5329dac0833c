import { campaignFixture, snapshotFixture } from '../testing/fixtures';
import { EMPTY_HISTORY, extractFeatures, type FeatureValues } from './features';
import { type Example, LogisticModel } from './logistic-model';

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

  it('explains with per-category interest contributions, largest first', () => {
    const vector = extractFeatures(snapshotFixture({ interests: { 'running-shoes': 6, fitness: 2 } }), campaignFixture(), EMPTY_HISTORY, now);
    const factors = LogisticModel.coldStart().explain(vector);
    expect(factors.map((f) => f.name).slice(0, 2)).toEqual(['interest.running_shoes', 'interest.fitness']);
    expect(factors[0].contribution).toBeCloseTo(3 * factors[1].contribution, 3);
    expect(factors.every((f, i) => i === 0 || Math.abs(f.contribution) <= Math.abs(factors[i - 1].contribution))).toBe(true);
  });
});
