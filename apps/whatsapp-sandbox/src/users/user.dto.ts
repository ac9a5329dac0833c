import { IsBoolean, IsOptional, Matches } from 'class-validator';

const PHONE = /^\+?\d{8,15}$/;

/** Body of `POST /sandbox/users`: how a WhatsApp user appears to the business (2026 usernames). */
export class SandboxUserDto {
  @Matches(PHONE, { message: 'phone must be a phone number: 8 to 15 digits, optionally after a +' })
  phone: string;

  /** A WhatsApp username (shown instead of the number). */
  @IsOptional()
  @Matches(/^[a-z0-9._]{3,35}$/, { message: 'username must be 3 to 35 lower-case letters, digits, dots or underscores' })
  username?: string;

  /** The number is withheld from the business: webhooks carry no `wa_id`, `from` nor `recipient_id`. */
  @IsOptional()
  @IsBoolean()
  hidePhone?: boolean;

  /** Parent business-scoped user ids are enabled for this user (`parent_user_id`). */
  @IsOptional()
  @IsBoolean()
  parentId?: boolean;
}

/** Body of `POST /sandbox/users/change-number`: the user moves to another number. */
export class ChangeNumberDto {
  @Matches(PHONE, { message: 'phone must be a phone number: 8 to 15 digits, optionally after a +' })
  phone: string;

  @Matches(PHONE, { message: 'newPhone must be a phone number: 8 to 15 digits, optionally after a +' })
  newPhone: string;

  /** The business number that gets the `system` webhook. */
  @Matches(/^\d{1,32}$/, { message: 'phoneNumberId must be digits' })
  phoneNumberId: string;
}
