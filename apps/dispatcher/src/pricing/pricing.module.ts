import { Module } from '@nestjs/common';
import { RateBook } from '@wt/pricing';
import { DispatcherConfig } from '../dispatcher.config';
import { MessageCosts } from './message-costs';

/** What messages cost: estimates as decisions carry them, billed prices from status webhooks, at the rate cards (RATE_CARD_FILE). */
@Module({
  providers: [
    MessageCosts,
    { provide: RateBook, useFactory: (config: DispatcherConfig) => RateBook.load(config.RATE_CARD_FILE), inject: [DispatcherConfig] },
  ],
  exports: [MessageCosts],
})
export class PricingModule {}
