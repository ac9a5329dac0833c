import { Module } from '@nestjs/common';
import { StatsModule } from '../stats/stats.module';
import { WebhookDeliveryService } from './webhook-delivery.service';

/** Signed webhook deliveries to SANDBOX_WEBHOOK_URL, retried. */
@Module({
  imports: [StatsModule],
  providers: [WebhookDeliveryService],
  exports: [WebhookDeliveryService],
})
export class WebhooksModule {}
