import { Module } from '@nestjs/common';
import { Pseudonymizer } from '@wt/identity';
import { ConversionModule } from '../conversion/conversion.module';
import { DispatchModule } from '../dispatch/dispatch.module';
import { DispatcherConfig } from '../dispatcher.config';
import { PricingModule } from '../pricing/pricing.module';
import { AccountWebhooks } from './account-webhooks';
import { IdentityMergeConsumer } from './identity-merge.consumer';
import { WebhookController } from './webhook.controller';
import { WebhookIdentities } from './webhook-identity';
import { WebhookIntake } from './webhook-intake';
import { WebhookOutbox } from './webhook-outbox';

/**
 * Meta's webhook: WebhookController checks signature and shape, WebhookIntake records everything in
 * one transaction through the modules below (statuses and failures: dispatch/; billed prices:
 * pricing/; button taps and ad clicks: conversion/) with what to publish (WebhookOutbox), and
 * publishes it after the commit; WebhookIdentities resolves
 * the people webhooks name; AccountWebhooks follows account changes.
 */
@Module({
  imports: [DispatchModule, ConversionModule, PricingModule],
  controllers: [WebhookController, IdentityMergeConsumer],
  providers: [
    WebhookIntake,
    WebhookOutbox,
    AccountWebhooks,
    WebhookIdentities,
    {
      provide: Pseudonymizer,
      useFactory: (config: DispatcherConfig) => new Pseudonymizer(config.PSEUDONYM_SECRET),
      inject: [DispatcherConfig],
    },
  ],
})
export class WebhookModule {}
