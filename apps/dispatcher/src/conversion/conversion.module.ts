import { Module } from '@nestjs/common';
import { ConversionAttribution } from './conversion-attribution';
import { ConversionConsumer } from './conversion.consumer';
import { ConversionSender } from './conversion-sender.service';

/**
 * Clicks and conversions: purchases on the engagement stream attributed (ConversionConsumer →
 * ConversionAttribution) and sent once to Meta's Conversions API (ConversionSender). Exports the
 * attribution to the webhook (button taps, ad clicks, merged people's rows).
 */
@Module({
  controllers: [ConversionConsumer],
  providers: [ConversionAttribution, ConversionSender],
  exports: [ConversionAttribution],
})
export class ConversionModule {}
