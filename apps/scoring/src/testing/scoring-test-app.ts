import { Controller, type INestApplication, type INestMicroservice, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@wt/config';
import { type CampaignV1, type Topic } from '@wt/contracts';
import { KafkaBatchServer, kafkaConnectionOf, KafkaPublisher, type RecordBatch } from '@wt/kafka';
import { runService } from '@wt/runtime';
import { eventually, testBrokers, testDatabaseUrl } from '@wt/testing';
import { DataSource } from 'typeorm';
import { scoringModule } from '../app.module';
import { CampaignStore } from '../campaign/campaign.store';
import { ScoringConfig } from '../scoring.config';
import { campaignFixture } from './fixtures';

/**
 * Scoring's settings for an integration test on the test stack: nothing launched by the poller
 * (the tests step launches), and `overrides` (a relevance model of the test's own, say, so that
 * learning here does not change the model the e2e services use).
 */
export function testScoringConfig(overrides: Record<string, string>): ScoringConfig {
  return loadConfig(ScoringConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    KAFKA_BROKERS: testBrokers().join(','),
    DATABASE_URL: testDatabaseUrl('scoring'),
    DB_MIGRATIONS_RUN: 'true',
    LAUNCH_POLL_MS: '3600000',
    ...overrides,
  });
}

/** The scoring app in this process, listening on a free port of 127.0.0.1. */
export async function startScoringApp(settings: ScoringConfig): Promise<{ app: INestApplication; base: string; dataSource: DataSource }> {
  const moduleRef = await Test.createTestingModule({ imports: [scoringModule(settings)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl(), dataSource: app.get(DataSource) };
}

/**
 * The whole scoring service in this process, as `main` runs it: HTTP on a free port of 127.0.0.1
 * and every consumer in the group `<KAFKA_GROUP_PREFIX>.scoring`; returned once ready.
 */
export async function runScoringService(settings: ScoringConfig, clientId: string): Promise<{ app: INestApplication; base: string }> {
  const app = await runService({
    name: 'scoring',
    module: scoringModule(settings),
    port: 0,
    host: '127.0.0.1',
    consumer: { connection: { brokers: settings.KAFKA_BROKERS, clientId }, groupId: `${settings.KAFKA_GROUP_PREFIX}.scoring` },
  });
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await eventually('scoring ready', async () => ((await fetch(`${base}/health/ready`)).ok ? true : undefined), 60_000);
  return { app, base };
}

/**
 * One of scoring's handlers alone in a consumer group of the test's (`groupId`): the records pass
 * through the real validation and dead-lettering of KafkaBatchServer, then `handle`.
 */
export async function startTopicConsumer<T extends Topic>(
  app: INestApplication,
  settings: ScoringConfig,
  groupId: string,
  topic: T,
  handle: (batch: RecordBatch<T>) => Promise<void>,
): Promise<INestMicroservice> {
  const consumer = await NestFactory.createMicroservice(topicModule(topic, handle), {
    strategy: new KafkaBatchServer({
      connection: kafkaConnectionOf(settings, 'scoring'),
      groupId,
      service: 'scoring',
      publisher: app.get(KafkaPublisher),
    }),
    logger: false,
  });
  await consumer.listen();
  return consumer;
}

function topicModule<T extends Topic>(topic: T, handle: (batch: RecordBatch<T>) => Promise<void>): Type<unknown> {
  @Controller()
  class TopicOnlyConsumer {
    @EventPattern(topic)
    on(@Payload() batch: RecordBatch<T>): Promise<void> {
      return handle(batch);
    }
  }
  @Module({ controllers: [TopicOnlyConsumer] })
  class TopicOnlyModule {}
  return TopicOnlyModule;
}

/**
 * The campaigns a test stores (active since a minute ago, for anyone, named `<prefix>-<n>` of
 * business `<prefix>-biz-<n>`), all ended at the end, so that nothing keeps running for the
 * services that share the database in the e2e run.
 */
export class TestCampaigns {
  private readonly created: CampaignV1[] = [];
  /** Counted before the upsert awaits, so that campaigns created at once get distinct numbers. */
  private count = 0;

  constructor(
    private readonly prefix: string,
    private readonly defaults: Partial<CampaignV1> = {},
    private readonly businessOf: (n: number) => string = (n) => `${prefix}-biz-${n}`,
  ) {}

  async create(app: INestApplication, overrides: Partial<CampaignV1> = {}): Promise<CampaignV1> {
    const n = ++this.count;
    const campaign = campaignFixture({
      campaignId: `${this.prefix}-${n}`,
      businessId: this.businessOf(n),
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      updatedAt: new Date().toISOString(),
      minRelevance: 0,
      ...this.defaults,
      ...overrides,
    });
    await app.get(CampaignStore).upsert([campaign]);
    this.created.push(campaign);
    return campaign;
  }

  /** A campaign the test stored another way (through the API, say), to be ended with the others. */
  track(campaign: CampaignV1): void {
    this.created.push(campaign);
  }

  /** Ends every campaign stored, a second after now so that the update wins. */
  async endAll(app: INestApplication | undefined): Promise<void> {
    const ended = this.created.map((c) => ({ ...c, status: 'ended' as const, updatedAt: new Date(Date.now() + 1000).toISOString() }));
    await app?.get(CampaignStore).upsert(ended);
  }
}

/** A new campaign as a business posts it to `POST /v1/campaigns` (a draft for trail runners). */
export const draftCampaignBody = () => ({
  name: 'Autumn trail',
  status: 'draft',
  phoneNumberId: '1000002',
  template: { name: 'autumn_trail', language: 'en_US', bodyParameters: [{ from: 'profile', value: 'topInterest' }] },
  targetCategories: ['trail-running'],
  budgetMessages: 100,
  startsAt: '2026-12-01T00:00:00Z',
  holdoutShare: 0.1,
});
