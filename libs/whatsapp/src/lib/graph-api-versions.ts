/**
 * Graph API versions and the day Meta stops serving each: the one table of them in the repository.
 * Source: Meta's "Graph API changelog: versions"
 * (https://developers.facebook.com/docs/graph-api/changelog/versions/, read 2026-12-07: v26.0 released
 * 2026-07-29, expiry not yet set; v25.0 released 2026-02-18, available until 2028-07-29). Add a row
 * when Meta releases a version or sets an expiry; `graph-api-versions.spec.ts` fails once the default
 * is past its end of support.
 */
export interface GraphApiVersion {
  version: string;
  /** Release date (UTC, `YYYY-MM-DD`). */
  released: string;
  /** First day Meta no longer serves it (UTC, `YYYY-MM-DD`); null while Meta has not set one. */
  endOfSupport: string | null;
}

export const GRAPH_API_VERSIONS: readonly GraphApiVersion[] = [
  { version: 'v26.0', released: '2026-07-29', endOfSupport: null },
  { version: 'v25.0', released: '2026-02-18', endOfSupport: '2028-07-29' },
  { version: 'v24.0', released: '2025-10-08', endOfSupport: '2028-02-18' },
  { version: 'v23.0', released: '2025-05-29', endOfSupport: '2027-10-08' },
  { version: 'v22.0', released: '2025-01-21', endOfSupport: '2027-05-20' },
  { version: 'v21.0', released: '2024-10-02', endOfSupport: '2027-01-21' },
  { version: 'v20.0', released: '2024-05-21', endOfSupport: '2026-09-24' },
  { version: 'v19.0', released: '2024-01-23', endOfSupport: '2026-05-21' },
  { version: 'v18.0', released: '2023-09-12', endOfSupport: '2026-01-26' },
  { version: 'v17.0', released: '2023-05-23', endOfSupport: '2025-09-12' },
  { version: 'v16.0', released: '2023-02-02', endOfSupport: '2025-05-14' },
];

/**
 * The version the platform calls unless `WHATSAPP_API_VERSION` says otherwise (deploy/ sets it
 * explicitly). The newest with a published end of support: v26.0 has none yet.
 */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';

export type GraphApiVersionState =
  /** Served as asked. */
  | { kind: 'available'; endOfSupport: Date | null }
  /** Past its end of support: Meta serves the call with the oldest version still available. */
  | { kind: 'retired'; servedAs: string }
  /** Not a version Meta has released (by this table). */
  | { kind: 'unknown' };

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** What Meta does with a call to `version` at `now`. */
export function graphApiVersionState(version: string, now: Date = new Date()): GraphApiVersionState {
  const entry = GRAPH_API_VERSIONS.find((v) => v.version === version);
  if (!entry || day(entry.released) > now) {
    // Versions older than this table were all retired long ago (v16.0 ended 2025-05-14).
    const match = /^v(\d+)\.\d+$/.exec(version);
    const oldest = GRAPH_API_VERSIONS[GRAPH_API_VERSIONS.length - 1] as GraphApiVersion;
    if (match && Number(match[1]) < Number(/^v(\d+)/.exec(oldest.version)?.[1]))
      return { kind: 'retired', servedAs: oldestAvailableGraphApiVersion(now) };
    return { kind: 'unknown' };
  }
  if (entry.endOfSupport !== null && day(entry.endOfSupport) <= now)
    return { kind: 'retired', servedAs: oldestAvailableGraphApiVersion(now) };
  return { kind: 'available', endOfSupport: entry.endOfSupport === null ? null : day(entry.endOfSupport) };
}

/** The oldest version Meta still serves at `now`: where it sends calls made to a retired one. */
export function oldestAvailableGraphApiVersion(now: Date = new Date()): string {
  const available = GRAPH_API_VERSIONS.filter((v) => day(v.released) <= now && (v.endOfSupport === null || day(v.endOfSupport) > now));
  const oldest = available[available.length - 1];
  if (!oldest) throw new Error('no Graph API version available at this date: update graph-api-versions.ts');
  return oldest.version;
}
