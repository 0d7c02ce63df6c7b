/**
 * The list's filters as they live in the page's URL query (`/ui/?q=…&status=…`), so a
 * reload or a shared link shows the same list, and as the `GET /schedules` query they
 * ask for. Pure functions: the mapping both ways is what the unit tests pin.
 */

/** The statuses `GET /schedules?status=` accepts (SCHEDULE_STATUSES in libs/domain). */
export const SCHEDULE_STATUSES = ['active', 'paused', 'completed'] as const;
export type StatusFilter = (typeof SCHEDULE_STATUSES)[number] | '';

export type SortFilter = 'createdAt' | 'nextRunAt';

export interface ListFilters {
  /** Name contains (the API's `q`); '' is no filter. */
  q: string;
  status: StatusFilter;
  owner: string;
  sort: SortFilter;
}

export const NO_FILTERS: ListFilters = {
  q: '',
  status: '',
  owner: '',
  sort: 'createdAt',
};

/** Rows per page of the list. */
export const PAGE_SIZE = 20;

function isStatus(value: string): value is (typeof SCHEDULE_STATUSES)[number] {
  return (SCHEDULE_STATUSES as readonly string[]).includes(value);
}

/** The filters a URL query names; unknown or malformed values read as no filter. */
export function filtersFromSearch(search: string): ListFilters {
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? '';
  return {
    q: params.get('q') ?? '',
    status: isStatus(status) ? status : '',
    owner: params.get('owner') ?? '',
    sort: params.get('sort') === 'nextRunAt' ? 'nextRunAt' : 'createdAt',
  };
}

/** The URL query for the filters: only what differs from no filter ('' for none). */
export function searchFromFilters(filters: ListFilters): string {
  const params = new URLSearchParams();
  if (filters.q !== '') params.set('q', filters.q);
  if (filters.status !== '') params.set('status', filters.status);
  if (filters.owner !== '') params.set('owner', filters.owner);
  if (filters.sort !== 'createdAt') params.set('sort', filters.sort);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The `GET /schedules` path for one page of the filtered list, with the recent runs. */
export function listPath(filters: ListFilters, cursor: string | null): string {
  const params = new URLSearchParams({
    limit: String(PAGE_SIZE),
    include: 'recentExecutions',
  });
  if (filters.q !== '') params.set('q', filters.q);
  if (filters.status !== '') params.set('status', filters.status);
  if (filters.owner !== '') params.set('owner', filters.owner);
  if (filters.sort !== 'createdAt') params.set('sort', filters.sort);
  if (cursor !== null) params.set('cursor', cursor);
  return `/schedules?${params.toString()}`;
}
