import { type ExplanationFactorV1 } from '@wt/contracts';
import { FEATURES, type FeatureName, type FeatureValues, type FeatureVector } from './features';

export type Weights = Record<FeatureName | 'bias', number>;

/**
 * Cold start: the prior the model starts from and is regularised towards. It says what the first
 * rule said (interest in the campaign's categories matters, fatigue hurts) until outcomes teach
 * otherwise; a person with one purchase in a target category scores about 0.6.
 */
export const PRIOR_WEIGHTS: Weights = {
  bias: -2,
  interest: 1.2,
  'interest.share': 0.5,
  recency: 0.3,
  activity: 0,
  'platform.instagram_share': 0,
  'business.engagement': 0.3,
  'business.responses': 0.5,
  'business.ignored': -0.3,
  fatigue: -0.3,
};

/** One thing learned: the features at decision time, a label (1 good, 0 bad) and its weight. */
export interface Example {
  features: FeatureValues;
  label: 0 | 1;
  weight: number;
}

export interface LearningOptions {
  learningRate: number;
  /** Pull towards the prior (L2), so a few outcomes cannot swing the model far. */
  l2: number;
}

export const DEFAULT_LEARNING: LearningOptions = { learningRate: 0.05, l2: 0.001 };

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Online logistic regression: P(good response | sent, features). Immutable; `learn` returns a new model. */
export class LogisticModel {
  constructor(
    readonly weights: Weights,
    readonly version: number,
    readonly examples: number,
  ) {}

  static coldStart(): LogisticModel {
    return new LogisticModel({ ...PRIOR_WEIGHTS }, 0, 0);
  }

  get modelVersion(): string {
    return `logreg-v${this.version}`;
  }

  logit(features: FeatureValues): number {
    return FEATURES.reduce((z, name) => z + (this.weights[name] ?? 0) * features[name], this.weights.bias);
  }

  predict(features: FeatureValues): number {
    return sigmoid(this.logit(features));
  }

  /** Stochastic gradient steps over the examples, in order; the version goes up by one. */
  learn(examples: readonly Example[], options: LearningOptions = DEFAULT_LEARNING): LogisticModel {
    if (examples.length === 0) return this;
    const w: Weights = { ...PRIOR_WEIGHTS, ...this.weights };
    for (const example of examples) {
      const z = FEATURES.reduce((sum, name) => sum + w[name] * (example.features[name] ?? 0), w.bias);
      const error = example.label - sigmoid(z);
      const step = options.learningRate * example.weight;
      w.bias += step * error - options.learningRate * options.l2 * (w.bias - PRIOR_WEIGHTS.bias);
      for (const name of FEATURES) {
        w[name] += step * error * (example.features[name] ?? 0) - options.learningRate * options.l2 * (w[name] - PRIOR_WEIGHTS[name]);
      }
    }
    return new LogisticModel(w, this.version + 1, this.examples + examples.length);
  }

  /**
   * Each factor's contribution to the log-odds (weight times value), largest first. The interest
   * factor is split over the campaign's categories, as `interest.<category>`.
   */
  explain(vector: FeatureVector, limit = 5): ExplanationFactorV1[] {
    const factors: ExplanationFactorV1[] = [];
    for (const name of FEATURES) {
      const value = vector.values[name];
      const contribution = (this.weights[name] ?? 0) * value;
      if (value === 0 || contribution === 0) continue;
      if (name === 'interest') {
        const total = vector.interests.reduce((sum, f) => sum + f.value, 0);
        for (const f of vector.interests) {
          factors.push({
            name: `interest.${f.category.replace(/[^a-z0-9_.]/g, '_')}`,
            value: round(f.value),
            contribution: round((contribution * f.value) / total),
            kind: vector.kinds.interest,
          });
        }
      } else {
        factors.push({ name, value: round(value), contribution: round(contribution), kind: vector.kinds[name] });
      }
    }
    return factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, limit);
  }
}
