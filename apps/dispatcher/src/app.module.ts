import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '@wt/config';
import { postgresOptions, RetentionJob } from '@wt/database';
import { DataSource } from 'typeorm';
import { Pseudonymizer } from '@wt/identity';
import { kafkaConnectionOf, KafkaModule } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { RateBook } from '@wt/pricing';
import { VaultModule } from '@wt/vault';
import { WhatsAppCloudClient } from '@wt/whatsapp';
import { DispatchLedger } from './dispatch/dispatch-ledger';
import { DispatchEntity } from './dispatch/dispatch.entity';
import { DispatchConsumer } from './dispatch/dispatch.consumer';
import { DispatchSender } from './dispatch/dispatch-sender.service';
import { SendOutcomes } from './dispatch/send-outcomes';
import { NumberStates } from './dispatch/number-states';
import { PortfolioLimits } from './dispatch/portfolio-limits';
import { SendLease } from './dispatch/send-lease';
import { ThroughputLimiter } from './dispatch/throughput-limiter';
import { DispatcherConfig } from './dispatcher.config';
import { InitialSchema1764374400000 } from './migrations/1764374400000-initial-schema';
import { DispatchQueue1764460800000 } from './migrations/1764460800000-dispatch-queue';
import { DispatchTraceContext1764633600000 } from './migrations/1764633600000-dispatch-trace-context';
import { PlatformLimits1765065600000 } from './migrations/1765065600000-platform-limits';
import { AccountWebhooks } from './webhook/account-webhooks';
import { DispatchRetentionIndex1765238400000 } from './migrations/1765238400000-dispatch-retention-index';
import { costAndConversionRetentionRules, ledgerRetentionRules } from './dispatch/ledger-retention';
import { PricingAndConversions1765324800000 } from './migrations/1765324800000-pricing-and-conversions';
import { CostAndConversionRetention1765411200000 } from './migrations/1765411200000-cost-and-conversion-retention';
import { DispatchDueByNumber1765497600000 } from './migrations/1765497600000-dispatch-due-by-number';
import { ConversionAttribution } from './conversion/conversion-attribution';
import { ConversionConsumer } from './conversion/conversion.consumer';
import { ConversionSender } from './conversion/conversion-sender.service';
import { MessageCosts } from './pricing/message-costs';
import { WebhookController } from './webhook/webhook.controller';
import { WebhookIdentities } from './webhook/webhook-identity';
import { whatsAppClientFor } from './whatsapp-client';

export const DISPATCHER_ENTITIES = [DispatchEntity];
export const DISPATCHER_MIGRATIONS = [
  InitialSchema1764374400000,
  DispatchQueue1764460800000,
  DispatchTraceContext1764633600000,
  PlatformLimits1765065600000,
  DispatchRetentionIndex1765238400000,
  PricingAndConversions1765324800000,
  CostAndConversionRetention1765411200000,
  DispatchDueByNumber1765497600000,
];

export function dispatcherModule(config: DispatcherConfig) {
  @Module({
    imports: [
      ConfigModule.forValue(DispatcherConfig, config),
      ObservabilityModule.forRoot({ service: 'dispatcher', logLevel: config.LOG_LEVEL }),
      KafkaModule.forRoot(kafkaConnectionOf(config, 'dispatcher')),
      TypeOrmModule.forRoot(
        postgresOptions({
          url: config.DATABASE_URL,
          entities: DISPATCHER_ENTITIES,
          migrations: DISPATCHER_MIGRATIONS,
          runMigrations: config.DB_MIGRATIONS_RUN === 'true',
          applicationName: 'dispatcher',
        }),
      ),
      VaultModule.forRoot(config, 'dispatcher'),
    ],
    controllers: [DispatchConsumer, WebhookController, ConversionConsumer],
    providers: [
      DispatchLedger,
      {
        provide: RetentionJob,
        useFactory: (dataSource: DataSource) =>
          new RetentionJob(
            dataSource,
            [
              ...ledgerRetentionRules(config.DISPATCH_RETENTION_DAYS),
              ...costAndConversionRetentionRules({
                messageCostDays: config.MESSAGE_COST_RETENTION_DAYS,
                adClickDays: config.AD_CLICK_RETENTION_DAYS,
                conversionDays: config.CONVERSION_RETENTION_DAYS,
              }),
            ],
            {
              intervalSeconds: config.RETENTION_PURGE_INTERVAL_SECONDS,
              batchSize: config.RETENTION_PURGE_BATCH,
              service: 'dispatcher',
            },
          ),
        inject: [DataSource],
      },
      SendOutcomes,
      ThroughputLimiter,
      NumberStates,
      AccountWebhooks,
      PortfolioLimits,
      SendLease,
      DispatchSender,
      MessageCosts,
      ConversionAttribution,
      ConversionSender,
      { provide: RateBook, useValue: RateBook.load(config.RATE_CARD_FILE) },
      WebhookIdentities,
      { provide: Pseudonymizer, useValue: new Pseudonymizer(config.PSEUDONYM_SECRET) },
      { provide: WhatsAppCloudClient, useValue: whatsAppClientFor(config) },
    ],
  })
  class DispatcherModule {}
  return DispatcherModule;
}
