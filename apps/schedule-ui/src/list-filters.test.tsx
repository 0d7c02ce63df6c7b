import { describe, expect, it } from 'vitest';
import {
  filtersFromSearch,
  listPath,
  NO_FILTERS,
  searchFromFilters,
} from './list-filters';

describe('the list filters in the URL query', () => {
  it('reads every filter from the query', () => {
    expect(
      filtersFromSearch(
        '?q=night+ly&status=paused&owner=team-a&sort=nextRunAt',
      ),
    ).toEqual({
      q: 'night ly',
      status: 'paused',
      owner: 'team-a',
      sort: 'nextRunAt',
    });
  });

  it('reads no query, and unknown values, as no filter', () => {
    expect(filtersFromSearch('')).toEqual(NO_FILTERS);
    expect(filtersFromSearch('?status=sleeping&sort=name&x=1')).toEqual(
      NO_FILTERS,
    );
  });

  it('writes only what is set, and reads back what it wrote', () => {
    expect(searchFromFilters(NO_FILTERS)).toBe('');
    const filters = {
      q: '100% & more',
      status: 'active',
      owner: 'team b',
      sort: 'nextRunAt',
    } as const;
    const search = searchFromFilters(filters);
    expect(search).toBe(
      '?q=100%25+%26+more&status=active&owner=team+b&sort=nextRunAt',
    );
    expect(filtersFromSearch(search)).toEqual(filters);
    expect(searchFromFilters({ ...NO_FILTERS, status: 'completed' })).toBe(
      '?status=completed',
    );
  });

  it('asks the API for the same filters, the page and the recent runs', () => {
    expect(listPath(NO_FILTERS, null)).toBe(
      '/schedules?limit=20&include=recentExecutions',
    );
    expect(
      listPath(
        { q: 'a b', status: 'paused', owner: 'o', sort: 'nextRunAt' },
        'CUR/+=',
      ),
    ).toBe(
      '/schedules?limit=20&include=recentExecutions&q=a+b&status=paused&owner=o&sort=nextRunAt&cursor=CUR%2F%2B%3D',
    );
  });
});
