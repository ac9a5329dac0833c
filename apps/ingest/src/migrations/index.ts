import { ApiKeys1765152000000 } from './1765152000000-api-keys';

/** Ingest's migrations, in order (never `synchronize`). */
export const INGEST_MIGRATIONS = [ApiKeys1765152000000];
