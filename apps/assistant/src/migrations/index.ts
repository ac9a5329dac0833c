import { InitialSchema1764547200000 } from './1764547200000-initial-schema';

export const ASSISTANT_MIGRATIONS = [InitialSchema1764547200000];
