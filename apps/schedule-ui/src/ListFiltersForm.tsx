import { useEffect, useState } from 'react';
import {
  type ListFilters,
  SCHEDULE_STATUSES,
  type SortFilter,
  type StatusFilter,
} from './list-filters';

/** How long typing in a text filter waits before the list is asked again. */
export const TYPING_DEBOUNCE_MS = 300;

/**
 * Search, Status, Owner and Sort by. Text fields report after TYPING_DEBOUNCE_MS of
 * quiet; the selects at once. Every control has a visible label.
 */
export function ListFiltersForm({
  filters,
  onChange,
}: {
  filters: ListFilters;
  onChange: (next: ListFilters) => void;
}) {
  const [q, setQ] = useState(filters.q);
  const [owner, setOwner] = useState(filters.owner);

  useEffect(() => {
    if (q === filters.q && owner === filters.owner) return;
    const timer = setTimeout(
      () => onChange({ ...filters, q, owner }),
      TYPING_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [q, owner, filters, onChange]);

  return (
    <form
      className="list-filters"
      role="search"
      aria-label="Filter schedules"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ ...filters, q, owner });
      }}
    >
      <label>
        Search by name
        <input
          type="search"
          value={q}
          maxLength={100}
          onChange={(event) => setQ(event.target.value)}
        />
      </label>
      <label>
        Status
        <select
          value={filters.status}
          onChange={(event) =>
            onChange({
              ...filters,
              q,
              owner,
              status: event.target.value as StatusFilter,
            })
          }
        >
          <option value="">any</option>
          {SCHEDULE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Owner
        <input
          type="text"
          value={owner}
          maxLength={200}
          onChange={(event) => setOwner(event.target.value)}
        />
      </label>
      <label>
        Sort by
        <select
          value={filters.sort}
          onChange={(event) =>
            onChange({
              ...filters,
              q,
              owner,
              sort: event.target.value as SortFilter,
            })
          }
        >
          <option value="createdAt">Created</option>
          <option value="nextRunAt">Next execution</option>
        </select>
      </label>
    </form>
  );
}
