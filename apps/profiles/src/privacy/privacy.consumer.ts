import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { normalizePhone, Pseudonymizer } from '@wt/identity';
import { type RecordBatch } from '@wt/kafka';
import { ProfilesConfig } from '../profiles.config';
import { PrivacyService } from './privacy.service';

/**
 * `privacy.requests.v1` (keyed by requestId, phone or, since contract 1.2, personId in the payload). Profiles reads it directly and
 * pseudonymizes the number itself (it holds the same PSEUDONYM_SECRET as ingest), rather than
 * through a normalized internal topic: the request never needs the sealed contact, and one hop
 * fewer keeps the phone number on one public topic only. An unparsable number is dead-lettered.
 */
@Controller()
export class PrivacyConsumer {
  private readonly pseudonymizer: Pseudonymizer;
  private readonly defaultRegion: string | undefined;

  constructor(
    private readonly privacy: PrivacyService,
    config: ProfilesConfig,
  ) {
    this.pseudonymizer = new Pseudonymizer(config.PSEUDONYM_SECRET);
    this.defaultRegion = config.DEFAULT_REGION;
  }

  @EventPattern(Topic.PrivacyRequestsV1)
  async onRequest(@Payload() batch: RecordBatch<Topic.PrivacyRequestsV1>): Promise<void> {
    for (const record of batch.records) {
      const request = record.value;
      // By personId (contract 1.2: a person the platform knows, possibly only by a WhatsApp business-scoped user id), or by number.
      let personId = request.personId;
      if (personId === undefined) {
        const phone = normalizePhone(request.phone ?? '', request.country, this.defaultRegion);
        if (!phone.ok) {
          batch.reject(record, 'invalid_phone', `phone: ${phone.reason}`);
          continue;
        }
        personId = this.pseudonymizer.personId(phone.e164);
      }
      if (request.type === 'erasure') await this.privacy.erase(personId, request.requestId, new Date());
      else await this.privacy.export(personId, request.requestId, new Date());
      await batch.heartbeat();
    }
  }
}
