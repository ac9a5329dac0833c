/**
 * The shape of a person's stored profile (profiles' `person_profile` row) and of its day buckets,
 * and what each engagement type counts for in it: used by the profiles service, by scoring's
 * evaluation harness (which counts engagement as profiles does), and by the tools that drive the
 * profiles' built code (the profile-writes bench). The functions over them stay in apps/profiles.
 */
export * from './lib/profile-state';
export * from './lib/engagement-counting';
