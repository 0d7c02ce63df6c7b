import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Execution } from './api';
import { Due } from './ExecutionHistory';

function execution(status: string, dueAt: string | null): Execution {
  return {
    id: 'e1',
    scheduledAt: '2027-01-01T10:00:00.000Z',
    dueAt,
    firedAt: null,
    finishedAt: null,
    status,
    attempts: 0,
    maxAttempts: 3,
    schedulerId: null,
    responseStatus: null,
    error: null,
  };
}

describe('Due', () => {
  it('shows the due instant as a <time> in UTC', () => {
    const { container } = render(
      <Due
        e={execution('pending', '2027-01-01T10:00:02.500Z')}
        zone="Europe/Berlin"
      />,
    );
    expect(container.querySelector('time')?.getAttribute('datetime')).toBe(
      '2027-01-01T10:00:02.500Z',
    );
  });

  it('says "buffered" for a pending occurrence without a due time', () => {
    const { container } = render(
      <Due e={execution('pending', null)} zone="UTC" />,
    );
    expect(container.textContent).toBe('buffered');
    expect(container.querySelector('time')).toBeNull();
  });

  it('shows a dash for a finished row without a due time', () => {
    const { container } = render(
      <Due e={execution('cancelled', null)} zone="UTC" />,
    );
    expect(container.textContent).toBe('—');
  });
});
