import { Module } from '@nestjs/common';
import { retentionJobProvider } from '@wt/database';
import { WhatsAppCloudClient } from '@wt/whatsapp';
import { DispatcherConfig } from '../dispatcher.config';
import { PricingModule } from '../pricing/pricing.module';
import { whatsAppClientFor } from '../whatsapp-client';
import { AccountStates } from './account-states';
import { CampaignsConsumer } from './campaigns.consumer';
import { DispatchLedger } from './dispatch-ledger';
import { DispatchSender } from './dispatch-sender.service';
import { costAndConversionRetentionRules, ledgerRetentionRules } from './ledger-retention';
import { NumberStates } from './number-states';
import { PortfolioLimits } from './portfolio-limits';
import { SendLease } from './send-lease';
import { SendOutcomes } from './send-outcomes';
import { SendQueue } from './send-queue';
import { SendRequestsConsumer } from './send-requests.consumer';
import { SendTracking } from './send-tracking';
import { ThroughputLimiter } from './throughput-limiter';

/**
 * Sending. Consumers per use case delegate to SendQueue, which writes the ledger (the send queue):
 * SendRequestsConsumer (decisions, assistant replies) and CampaignsConsumer (the numbers' businesses).
 * DispatchSender claims due sends and calls Meta at the numbers' rates (SendLease, ThroughputLimiter,
 * NumberStates, PortfolioLimits), decides what comes of each answer (outcomeOf in send-consequence.ts)
 * and hands it to SendOutcomes, which has the ledger record it in one statement; the retention of
 * the ledger and of what pricing and conversions keep. Exports only what the webhook writes in its
 * transaction: SendTracking (statuses, failures, dedupe, merged people) and AccountStates (numbers,
 * portfolio limits, templates).
 */
@Module({
  imports: [PricingModule],
  controllers: [SendRequestsConsumer, CampaignsConsumer],
  providers: [
    DispatchLedger,
    SendQueue,
    SendOutcomes,
    SendTracking,
    AccountStates,
    ThroughputLimiter,
    NumberStates,
    PortfolioLimits,
    SendLease,
    DispatchSender,
    { provide: WhatsAppCloudClient, useFactory: (config: DispatcherConfig) => whatsAppClientFor(config), inject: [DispatcherConfig] },
    retentionJobProvider(DispatcherConfig, 'dispatcher', (config) => [
      ...ledgerRetentionRules(config.DISPATCH_RETENTION_DAYS),
      ...costAndConversionRetentionRules({
        messageCostDays: config.MESSAGE_COST_RETENTION_DAYS,
        adClickDays: config.AD_CLICK_RETENTION_DAYS,
        conversionDays: config.CONVERSION_RETENTION_DAYS,
      }),
    ]),
  ],
  exports: [SendTracking, AccountStates],
})
export class DispatchModule {}
