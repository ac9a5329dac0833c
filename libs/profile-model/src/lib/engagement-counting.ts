import { type EngagementKind, type EngagementType } from '@wt/contracts';

/** How much one engagement says about interest: purchase > click > comment > like > view. */
export const ENGAGEMENT_WEIGHTS: Readonly<Record<EngagementType, number>> = {
  view: 1,
  like: 2,
  save: 2.5,
  comment: 3,
  follow: 3,
  share: 3.5,
  click: 4,
  purchase: 8,
};

/** What an engagement type says: passive, social or commercial (the profile's engagement mix). */
export const ENGAGEMENT_KIND: Readonly<Record<EngagementType, EngagementKind>> = {
  view: 'passive',
  save: 'passive',
  follow: 'passive',
  like: 'social',
  comment: 'social',
  share: 'social',
  click: 'commercial',
  purchase: 'commercial',
};
