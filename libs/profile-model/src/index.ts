/**
 * The shape of a person's stored profile (profiles' `person_profile` row) and of its day buckets:
 * used by the profiles service and by the tools that drive its built code (the profile-writes bench).
 * Types only; the functions over them stay in apps/profiles.
 */
export * from './lib/profile-state';
