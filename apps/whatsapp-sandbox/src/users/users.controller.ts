import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiAnswer } from '@wt/runtime';
import { maskPhoneNumber } from '@wt/whatsapp';
import { Logger } from '@nestjs/common';
import { SandboxConfig } from '../sandbox.config';
import { WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import { systemWebhook, unixSeconds } from '../webhooks/webhook-payloads';
import { ChangeNumberDto, SandboxUserDto } from './user.dto';
import { SandboxUsers, type UserIdentifiers } from './sandbox-users';
import { SandboxController } from '../openapi/sandbox-controller';
import { newWamid } from '../webhooks/random-ids';

const IDENTIFIERS_SCHEMA = {
  type: 'object',
  required: ['user_id'],
  properties: {
    wa_id: { type: 'string', description: 'The number, absent when the user withholds it' },
    user_id: { type: 'string', description: 'Business-scoped user id (BSUID)' },
    parent_user_id: { type: 'string' },
    username: { type: 'string' },
  },
};

/** Simulates WhatsApp users' 2026 identity settings (the real API has no such endpoint). */
@SandboxController('users')
export class UsersController {
  private readonly logger = new Logger(UsersController.name);

  constructor(
    private readonly users: SandboxUsers,
    private readonly config: SandboxConfig,
    private readonly webhooks: WebhookDeliveryService,
  ) {}

  /** A user's username, withheld number, parent id: what the business's webhooks will carry for them. */
  @Post()
  @HttpCode(200)
  @ApiAnswer(200, 'How webhooks name this user from now on', IDENTIFIERS_SCHEMA)
  register(@Body() dto: SandboxUserDto): UserIdentifiers {
    return this.users.register(dto.phone, { username: dto.username, hidePhone: dto.hidePhone, parentId: dto.parentId });
  }

  /**
   * The user changes number: a new BSUID, and a `system` message `user_changed_number` to the
   * business number (with the new number only when the user shares it).
   */
  @Post('change-number')
  @HttpCode(202)
  @ApiAnswer(202, 'Changed; the system webhook is on its way', {
    type: 'object',
    required: ['before', 'after'],
    properties: { before: IDENTIFIERS_SCHEMA, after: IDENTIFIERS_SCHEMA },
  })
  changeNumber(@Body() dto: ChangeNumberDto): { before: UserIdentifiers; after: UserIdentifiers } {
    const change = this.users.changeNumber(dto.phone, dto.newPhone);
    const origin = { wabaId: this.config.SANDBOX_WABA_ID, phoneNumberId: dto.phoneNumberId };
    const { before, after } = change;
    this.webhooks.schedule([
      {
        delayMs: 0,
        build: () =>
          systemWebhook(origin, {
            ...(before.wa_id ? { from: before.wa_id } : {}),
            from_user_id: before.user_id,
            ...(before.parent_user_id ? { from_parent_user_id: before.parent_user_id } : {}),
            id: newWamid(),
            timestamp: unixSeconds(Date.now()),
            type: 'system',
            system: {
              type: 'user_changed_number',
              body: 'User changed their number',
              ...(after.wa_id ? { wa_id: after.wa_id } : {}),
              user_id: after.user_id,
              ...(after.parent_user_id ? { parent_user_id: after.parent_user_id } : {}),
            },
          }),
      },
    ]);
    this.logger.debug(`user ${maskPhoneNumber(dto.phone.replace(/\D/g, ''))} changed number`);
    return change;
  }
}
