import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsISO31661Alpha2,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { IDENTIFIER, PERSON_ID, SEALED_CONTACT } from './common';

export class ProfileConsentsV1 {
  /** Businesses the person allowed to send WhatsApp marketing. */
  @IsArray()
  @Matches(IDENTIFIER, { each: true })
  whatsappMarketing: string[];

  /** Whether signals from several apps may be combined for this person. */
  @IsBoolean()
  crossAppProfiling: boolean;
}

export class ProfileActivityV1 {
  @IsInt()
  @Min(0)
  totalEvents: number;

  @IsObject()
  eventsBySource: Record<string, number>;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastSeenAt?: string;

  /** Businesses engaged with, and how often. */
  @IsObject()
  eventsByBusiness: Record<string, number>;
}

/**
 * `internal.profile.snapshots.v1`, compacted, keyed by personId: the latest profile of a person.
 * `interests` are decayed scores at `updatedAt`; consumers decay further with `interestHalfLifeHours`.
 */
export class ProfileSnapshotV1 {
  @Matches(PERSON_ID)
  personId: string;

  /** Increases with every change of the profile; consumers ignore older versions. */
  @IsInt()
  @Min(1)
  version: number;

  @IsISO8601({ strict: true })
  updatedAt: string;

  @IsOptional()
  @Matches(SEALED_CONTACT)
  contact?: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  /** IANA time zone inferred from the number, e.g. `Europe/Paris`. */
  @IsOptional()
  @IsString()
  timeZone?: string;

  /** Category slug to decayed score at `updatedAt`. */
  @IsObject()
  interests: Record<string, number>;

  @IsNumber()
  @Min(0)
  interestHalfLifeHours: number;

  @ValidateNested()
  @Type(() => ProfileConsentsV1)
  consents: ProfileConsentsV1;

  @ValidateNested()
  @Type(() => ProfileActivityV1)
  activity: ProfileActivityV1;
}
