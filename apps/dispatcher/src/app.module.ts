import { Module } from '@nestjs/common';
import { serviceRootModules } from '@wt/runtime';
import { VaultModule } from '@wt/vault';
import { ConversionModule } from './conversion/conversion.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { DispatchEntity } from './dispatch/dispatch.entity';
import { DispatcherConfig } from './dispatcher.config';
import { InitialSchema1764374400000 } from './migrations/1764374400000-initial-schema';
import { DispatchQueue1764460800000 } from './migrations/1764460800000-dispatch-queue';
import { DispatchTraceContext1764633600000 } from './migrations/1764633600000-dispatch-trace-context';
import { PlatformLimits1765065600000 } from './migrations/1765065600000-platform-limits';
import { DispatchRetentionIndex1765238400000 } from './migrations/1765238400000-dispatch-retention-index';
import { PricingAndConversions1765324800000 } from './migrations/1765324800000-pricing-and-conversions';
import { CostAndConversionRetention1765411200000 } from './migrations/1765411200000-cost-and-conversion-retention';
import { PortfolioDeliveredVolume1765497600000 } from './migrations/1765497600000-portfolio-delivered-volume';
import { DispatchDueByNumber1765584000000 } from './migrations/1765584000000-dispatch-due-by-number';
import { WebhookOutbox1765670400000 } from './migrations/1765670400000-webhook-outbox';
import { DispatchClaimEpoch1765756800000 } from './migrations/1765756800000-dispatch-claim-epoch';
import { PricingModule } from './pricing/pricing.module';
import { WebhookModule } from './webhook/webhook.module';

export const DISPATCHER_ENTITIES = [DispatchEntity];
export const DISPATCHER_MIGRATIONS = [
  InitialSchema1764374400000,
  DispatchQueue1764460800000,
  DispatchTraceContext1764633600000,
  PlatformLimits1765065600000,
  DispatchRetentionIndex1765238400000,
  PricingAndConversions1765324800000,
  CostAndConversionRetention1765411200000,
  PortfolioDeliveredVolume1765497600000,
  DispatchDueByNumber1765584000000,
  WebhookOutbox1765670400000,
  DispatchClaimEpoch1765756800000,
];

/**
 * The dispatcher: the root wiring (configuration, Kafka, the database, the key vault) and one module
 * per domain folder. Dependencies point down: webhook/ → dispatch/, conversion/, pricing/;
 * dispatch/ → pricing/.
 */
export function dispatcherModule(config: DispatcherConfig) {
  @Module({
    imports: [
      ...serviceRootModules('dispatcher', DispatcherConfig, config, { entities: DISPATCHER_ENTITIES, migrations: DISPATCHER_MIGRATIONS }),
      VaultModule.forRoot(config, 'dispatcher'),
      PricingModule,
      ConversionModule,
      DispatchModule,
      WebhookModule,
    ],
  })
  class DispatcherModule {}
  return DispatcherModule;
}
