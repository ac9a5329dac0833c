import { Module } from '@nestjs/common';
import { PhoneNumberController } from './phone-number.controller';
import { PhoneNumberService } from './phone-number.service';
import { PhoneNumberStore } from './phone-number.store';

/** Businesses: which business each WhatsApp phone number id belongs to (its API, and the owners of inbound messages). */
@Module({
  controllers: [PhoneNumberController],
  providers: [PhoneNumberStore, PhoneNumberService],
  exports: [PhoneNumberService],
})
export class BusinessModule {}
