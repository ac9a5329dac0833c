import { Injectable } from '@nestjs/common';
import { counter, gauge } from '@wt/observability';
import { DataSource } from 'typeorm';
import { ScoringConfig } from '../scoring.config';
import { DEFAULT_LEARNING, type Example, LogisticModel, type PrecisionMatrix, type Weights } from './logistic-model';

const versionGauge = gauge({ name: 'wt_model_version', help: 'Version of the relevance model in use' });
const examplesCounter = counter({ name: 'wt_model_examples_total', help: 'Outcomes learned from, by label', labelNames: ['label'] });

export interface StoredModel {
  version: number;
  weights: Weights;
  examples: string;
  /** Null for versions stored before the model kept its precisions: they read as the prior's. */
  precision: PrecisionMatrix | null;
}

export const fromRow = (row: StoredModel) => new LogisticModel(row.weights, row.version, Number(row.examples), row.precision);

/** A model as a row (a launch keeps the one it ranked with). */
export const toRow = (model: LogisticModel): StoredModel => ({
  version: model.version,
  weights: model.weights,
  examples: String(model.examples),
  precision: model.storedPrecision,
});

/**
 * The relevance model's versions in Postgres (weights and their precisions): every learning step writes a new version row, so a
 * restarted (or another) replica continues from what was learned. Learning is serialised across
 * replicas by a transaction-scoped advisory lock; old versions beyond `keep` are pruned.
 */
@Injectable()
export class ModelService {
  private cached?: { at: number; model: LogisticModel };

  private readonly name: string;

  constructor(
    private readonly dataSource: DataSource,
    config: ScoringConfig,
  ) {
    this.name = config.RELEVANCE_MODEL;
  }

  /** The latest model (re-read after `maxAgeMs`); the prior when nothing was learned yet. */
  async current(maxAgeMs = 5000): Promise<LogisticModel> {
    const now = Date.now();
    if (this.cached && now - this.cached.at <= maxAgeMs) return this.cached.model;
    const rows: StoredModel[] = await this.dataSource.query(
      `SELECT version, weights, examples, precision FROM relevance_model WHERE model = $1 ORDER BY version DESC LIMIT 1`,
      [this.name],
    );
    const model = rows[0] ? fromRow(rows[0]) : LogisticModel.coldStart();
    this.cached = { at: now, model };
    versionGauge.set(model.version);
    return model;
  }

  /** Learns from these examples on top of the latest stored version and stores the next one. */
  async learn(examples: readonly Example[], keep = 50): Promise<LogisticModel> {
    if (examples.length === 0) return this.current();
    const model = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`model:${this.name}`]);
      const rows: StoredModel[] = await manager.query(
        `SELECT version, weights, examples, precision FROM relevance_model WHERE model = $1 ORDER BY version DESC LIMIT 1`,
        [this.name],
      );
      const base = rows[0] ? fromRow(rows[0]) : LogisticModel.coldStart();
      const next = base.learn(examples, DEFAULT_LEARNING);
      await manager.query(`INSERT INTO relevance_model (model, version, weights, examples, precision) VALUES ($1, $2, $3, $4, $5)`, [
        this.name,
        next.version,
        JSON.stringify(next.weights),
        next.examples,
        JSON.stringify(next.storedPrecision),
      ]);
      await manager.query(`DELETE FROM relevance_model WHERE model = $1 AND version <= $2`, [this.name, next.version - keep]);
      return next;
    });
    for (const e of examples) examplesCounter.inc({ label: String(e.label) });
    this.cached = { at: Date.now(), model };
    versionGauge.set(model.version);
    return model;
  }
}
