/** A person's profile as stored (one row of person_profile). */
export interface ProfileState {
  personId: string;
  contact: string | null;
  country: string | null;
  timeZone: string | null;
  /** Category → decayed score at `interestsAt`, from every signal (cross-app and first-party). */
  interests: Record<string, number>;
  /** businessId → category → decayed score at `interestsAt`: first-party signals only. */
  businessInterests: Record<string, Record<string, number>>;
  interestsAt: Date | null;
  /** Category → interest at `interestsAt` with the short half-life RECENT_HALF_LIFE_HOURS (all signals). */
  recentInterests: Record<string, number>;
  totalEvents: number;
  eventsBySource: Record<string, number>;
  eventsByBusiness: Record<string, number>;
  lastSeenAt: Date | null;
  /** Business phoneNumberId → end of the customer-service window (ISO 8601). */
  serviceWindows: Record<string, string>;
  version: number;
}

/**
 * One person's engagement on one UTC day (one row of person_day_bucket). Interests are referenced
 * to the start of the day (`day`), unrounded, so that the days left after a purge add up to
 * exactly what the person's profile would be had the purged days never been seen.
 */
export interface DayBucket {
  personId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  interests: Record<string, number>;
  businessInterests: Record<string, Record<string, number>>;
  eventsBySource: Record<string, number>;
  eventsByBusiness: Record<string, number>;
  totalEvents: number;
  lastSeenAt: Date;
}
