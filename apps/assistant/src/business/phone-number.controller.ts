import { BadRequestException, ConflictException, Delete, Get, NotFoundException, Param, Put, Res } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { BusinessApiController, BusinessId } from '@wt/business-auth';
import { ApiAnswer, ApiErrors, ApiNoContentOr404 } from '@wt/runtime';
import { type Response } from 'express';
import { PhoneNumberService } from './phone-number.service';

const REGISTRATION = {
  type: 'object',
  required: ['phoneNumberId', 'businessId'],
  properties: { phoneNumberId: { type: 'string', pattern: '^\\d{1,32}$' }, businessId: { type: 'string' } },
};

const PHONE_NUMBER_ID = /^\d{1,32}$/;

/** The WhatsApp business phone numbers (Meta's phone number ids) whose inbound messages the assistant answers for the business. */
@BusinessApiController('v1/phone-numbers', 'phone numbers')
export class PhoneNumberController {
  constructor(private readonly phoneNumbers: PhoneNumberService) {}

  @Get()
  @ApiAnswer(200, "The business's phone number ids", {
    type: 'object',
    required: ['phoneNumberIds'],
    properties: { phoneNumberIds: { type: 'array', items: { type: 'string' } } },
  })
  async list(@BusinessId() businessId: string): Promise<{ phoneNumberIds: string[] }> {
    return { phoneNumberIds: await this.phoneNumbers.list(businessId) };
  }

  /** 201 when registered now, 200 when already this business's, 409 when another business owns it. */
  @Put(':phoneNumberId')
  @ApiParam({
    name: 'phoneNumberId',
    description: "Meta's phone number id (1 to 32 digits)",
    schema: { type: 'string', pattern: '^\\d{1,32}$' },
  })
  @ApiAnswer(201, 'Registered now', REGISTRATION)
  @ApiAnswer(200, "Already this business's", REGISTRATION)
  @ApiErrors({ 400: 'Not 1 to 32 digits', 409: 'Another business owns this phone number id' })
  async register(
    @BusinessId() businessId: string,
    @Param('phoneNumberId') phoneNumberId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ phoneNumberId: string; businessId: string }> {
    if (!PHONE_NUMBER_ID.test(phoneNumberId)) throw new BadRequestException('phoneNumberId must be 1 to 32 digits (Meta phone number id)');
    const outcome = await this.phoneNumbers.register(businessId, phoneNumberId);
    if (outcome === 'owned_by_another_business')
      throw new ConflictException(`phone number id ${phoneNumberId} belongs to another business`);
    response.status(outcome === 'registered' ? 201 : 200);
    return { phoneNumberId, businessId };
  }

  @Delete(':phoneNumberId')
  @ApiNoContentOr404('No longer served for this business', 'Not a phone number id of this business')
  async unregister(@BusinessId() businessId: string, @Param('phoneNumberId') phoneNumberId: string): Promise<void> {
    if (!(await this.phoneNumbers.unregister(businessId, phoneNumberId)))
      throw new NotFoundException(`no phone number id ${phoneNumberId}`);
  }
}
