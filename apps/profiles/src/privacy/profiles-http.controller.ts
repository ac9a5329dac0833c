import { BadRequestException, Controller, Delete, Get, NotFoundException, UseGuards } from '@nestjs/common';
import { type PrivacyErasureV1, type PrivacyExportV1 } from '@wt/contracts';
import { normalizePhone, Pseudonymizer } from '@wt/identity';
import { randomUUID } from 'node:crypto';
import { ProfilesConfig } from '../profiles.config';
import { OperationsTokenGuard } from './operations-token.guard';
import { PrivacyService, type ProfileView } from './privacy.service';
import { PathPhone } from './redact-profile-url.middleware';

/**
 * Operations routes (issue 3, points 10 and 11), behind the operations token. The number is taken
 * in any common form (`+33612345678`, `0033…`, national with DEFAULT_REGION); its path segment is
 * taken out of the request before the logger sees it (see hidePhoneInPath).
 */
@Controller('v1/profiles')
@UseGuards(OperationsTokenGuard)
export class ProfilesHttpController {
  private readonly pseudonymizer: Pseudonymizer;

  constructor(
    private readonly privacy: PrivacyService,
    private readonly config: ProfilesConfig,
  ) {
    this.pseudonymizer = new Pseudonymizer(config.PSEUDONYM_SECRET);
  }

  @Get(':phone')
  async view(@PathPhone() phone: string): Promise<ProfileView> {
    const profile = await this.privacy.view(this.personId(phone), new Date());
    if (!profile) throw new NotFoundException('no profile is held for this number');
    return profile;
  }

  @Get(':phone/export')
  export(@PathPhone() phone: string): Promise<PrivacyExportV1> {
    return this.privacy.export(this.personId(phone), `http-${randomUUID()}`, new Date());
  }

  @Delete(':phone')
  erase(@PathPhone() phone: string): Promise<PrivacyErasureV1> {
    return this.privacy.erase(this.personId(phone), `http-${randomUUID()}`, new Date());
  }

  private personId(raw: string): string {
    const phone = normalizePhone(raw, undefined, this.config.DEFAULT_REGION);
    // The reason only, never the number.
    if (!phone.ok) throw new BadRequestException(`phone: ${phone.reason}`);
    return this.pseudonymizer.personId(phone.e164);
  }
}
