import { IsInt, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { DatabaseEnv } from '@wt/config';

export class DispatcherConfig extends DatabaseEnv {
  override PORT: number = 3004;

  /** Graph API base URL: Meta's, or our sandbox (the default, for local runs). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  WHATSAPP_BASE_URL: string = 'http://127.0.0.1:3005';

  @Matches(/^v\d+\.\d+$/)
  WHATSAPP_API_VERSION: string = 'v21.0';

  @IsString()
  @MinLength(16)
  WHATSAPP_ACCESS_TOKEN: string;

  /** Signs webhooks (X-Hub-Signature-256). */
  @IsString()
  @MinLength(16)
  WHATSAPP_APP_SECRET: string;

  /** Echoed by Meta when subscribing the webhook (GET hub.verify_token). */
  @IsString()
  @MinLength(8)
  WHATSAPP_VERIFY_TOKEN: string;

  @IsInt()
  @Min(100)
  @Max(120_000)
  WHATSAPP_TIMEOUT_MS: number = 10_000;

  /** Meta's throughput per business phone number (80 by default; up to 1,000 when Meta raised it). */
  @IsInt()
  @Min(1)
  @Max(1000)
  WHATSAPP_MPS: number = 80;

  /** Messages in flight to the API at once per replica. */
  @IsInt()
  @Min(1)
  @Max(256)
  SEND_CONCURRENCY: number = 16;

  @IsString()
  @MinLength(32)
  PSEUDONYM_SECRET: string;

  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'CONTACT_KEY must be 32 bytes, base64-encoded' })
  CONTACT_KEY: string;
}
