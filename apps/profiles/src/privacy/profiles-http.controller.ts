import { BadRequestException, Controller, Delete, Get, NotFoundException, UseGuards } from '@nestjs/common';
import { type PrivacyErasureV1, type PrivacyExportV1 } from '@wt/contracts';
import { normalizePhone, Pseudonymizer } from '@wt/identity';
import { randomUUID } from 'node:crypto';
import { ProfilesConfig } from '../profiles.config';
import { OperationsTokenGuard } from './operations-token.guard';
import { PrivacyService, type ProfileView } from './privacy.service';
import { PathPhone } from './redact-profile-url.middleware';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiErrors, schemaRef } from '@wt/runtime';

const PHONE_PARAM = {
  name: 'phone',
  description: 'The number in any common form: +33612345678, 0033612345678, or national with DEFAULT_REGION (URL-encode the +)',
  example: '%2B33612345678',
};

/** OpenAPI shape of a ProfileView: the snapshot scoring sees, without the sealed contact. */
const PROFILE_VIEW = {
  allOf: [
    schemaRef('ProfileSnapshotV1'),
    {
      type: 'object',
      description: 'Never the sealed contact (`contact` is left out)',
      properties: { erased: { type: 'boolean', enum: [false] } },
    },
  ],
};

/**
 * Operations routes (issue 3, points 10 and 11), behind the operations token. The number is taken
 * in any common form (`+33612345678`, `0033…`, national with DEFAULT_REGION); its path segment is
 * taken out of the request before the logger sees it (see hidePhoneInPath).
 */
@Controller('v1/profiles')
@UseGuards(OperationsTokenGuard)
@ApiTags('privacy (operations)')
@ApiBearerAuth()
@ApiParam(PHONE_PARAM)
@ApiErrors({ 400: 'Not a valid phone number (the reason only, never the number)', 401: 'No operations token, or not the right one' })
export class ProfilesHttpController {
  private readonly pseudonymizer: Pseudonymizer;

  constructor(
    private readonly privacy: PrivacyService,
    private readonly config: ProfilesConfig,
  ) {
    this.pseudonymizer = new Pseudonymizer(config.PSEUDONYM_SECRET);
  }

  @Get(':phone')
  @ApiAnswer(200, 'The profile held for the number: interests, counts, consents, service window', PROFILE_VIEW)
  @ApiErrors({ 404: 'No profile is held for this number (never seen, or erased)' })
  async view(@PathPhone() phone: string): Promise<ProfileView> {
    const profile = await this.privacy.view(this.personId(phone), new Date());
    if (!profile) throw new NotFoundException('no profile is held for this number');
    return profile;
  }

  @Get(':phone/export')
  @ApiAnswer(200, 'Everything held about the person (also published on privacy.exports.v1)', schemaRef('PrivacyExportV1'))
  export(@PathPhone() phone: string): Promise<PrivacyExportV1> {
    return this.privacy.export(this.personId(phone), `http-${randomUUID()}`, new Date());
  }

  @Delete(':phone')
  @ApiAnswer(
    200,
    'Erased: profile, consents and processed events removed, snapshot tombstoned, erasure announced on privacy.erasures.v1',
    schemaRef('PrivacyErasureV1'),
  )
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
