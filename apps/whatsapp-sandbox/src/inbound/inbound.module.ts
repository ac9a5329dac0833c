import { Module } from '@nestjs/common';
import { ConversionsModule } from '../conversions/conversions.module';
import { MessagesModule } from '../messages/messages.module';
import { StatsModule } from '../stats/stats.module';
import { UsersModule } from '../users/users.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { InboundController } from './inbound.controller';
import { InboundService } from './inbound.service';

/** Messages from simulated users to a business (`POST /sandbox/inbound`), as webhooks; they open service windows. */
@Module({
  imports: [ConversionsModule, MessagesModule, StatsModule, UsersModule, WebhooksModule],
  controllers: [InboundController],
  providers: [InboundService],
})
export class InboundModule {}
