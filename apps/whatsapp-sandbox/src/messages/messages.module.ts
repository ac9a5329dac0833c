import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module';
import { FaultsModule } from '../faults/faults.module';
import { SimulationModule } from '../simulation/simulation.module';
import { StatsModule } from '../stats/stats.module';
import { TemplatesModule } from '../templates/templates.module';
import { UsersModule } from '../users/users.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { MessageStore } from './message-store';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { SandboxMessagesController } from './sandbox-messages.controller';
import { ServiceWindows } from './service-windows';

/** The send path (`POST /{version}/{phone-number-id}/messages`): limits, faults, statuses and their webhooks. */
@Module({
  imports: [AccountModule, FaultsModule, SimulationModule, StatsModule, TemplatesModule, UsersModule, WebhooksModule],
  controllers: [MessagesController, SandboxMessagesController],
  providers: [MessageStore, MessagesService, ServiceWindows],
  exports: [MessageStore, MessagesService, ServiceWindows],
})
export class MessagesModule {}
