import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Execution } from './api';
import { LatenessChart } from './LatenessChart';

function execution(
  id: string,
  scheduledAt: string,
  firedAt: string | null,
): Execution {
  return {
    id,
    scheduledAt,
    dueAt: scheduledAt,
    firedAt,
    finishedAt: firedAt,
    status: firedAt === null ? 'pending' : 'succeeded',
    attempts: firedAt === null ? 0 : 1,
    maxAttempts: 3,
    schedulerId: firedAt === null ? null : 'scheduler-1',
    responseStatus: firedAt === null ? null : 200,
    error: null,
  };
}

const EXECUTIONS = [
  execution('e1', '2027-01-01T10:00:00.000Z', '2027-01-01T10:00:00.004Z'),
  execution('e2', '2027-01-01T10:00:01.000Z', '2027-01-01T10:00:01.012Z'),
  execution('e3', '2027-01-01T10:00:02.000Z', '2027-01-01T10:00:14.500Z'),
  execution('e4', '2027-01-01T10:00:03.000Z', null),
];

describe('LatenessChart', () => {
  it('is an image labelled with the runs, p50, p99, max and those outside ±10 s', () => {
    render(<LatenessChart executions={EXECUTIONS} zone="Europe/Berlin" />);
    const chart = screen.getByRole('img');
    const summary =
      '3 runs: p50 12 ms, p99 12.5 s, max 12.5 s; 1 outside ±10 s';
    expect(chart.getAttribute('aria-label')).toBe(`Lateness chart, ${summary}`);
    expect(
      chart.closest('figure')?.querySelector('figcaption')?.textContent,
    ).toContain(summary);
  });

  it('draws one point per fired execution, the one outside the band flagged', () => {
    const { container } = render(
      <LatenessChart executions={EXECUTIONS} zone="Europe/Berlin" />,
    );
    const points = [...container.querySelectorAll('[data-lateness-ms]')];
    expect(points.map((p) => p.getAttribute('data-lateness-ms'))).toEqual([
      '4',
      '12',
      '12500',
    ]);
    const outside = container.querySelectorAll('.point.outside');
    expect(outside).toHaveLength(1);
    expect(outside.item(0).getAttribute('data-lateness-ms')).toBe('12500');
  });

  it('shades the ±10 s band below the top, and labels both axes', () => {
    const { container } = render(
      <LatenessChart executions={EXECUTIONS} zone="Europe/Berlin" />,
    );
    const band = container.querySelector('rect.band');
    expect(Number(band?.getAttribute('y'))).toBeGreaterThan(12);
    expect(Number(band?.getAttribute('height'))).toBeGreaterThan(0);
    const labels = [...container.querySelectorAll('text')].map(
      (t) => t.textContent,
    );
    expect(labels).toEqual(
      expect.arrayContaining([
        '0 ms',
        '10 ms',
        '1 s',
        '10 s',
        'scheduled time (Europe/Berlin)',
        'lateness (log scale)',
        // 10:00:00 UTC is 11:00 in Berlin: the ticks are in the schedule's zone.
        '11:00:00',
      ]),
    );
  });

  it('says there is nothing to draw when nothing fired', () => {
    render(<LatenessChart executions={EXECUTIONS.slice(3)} zone="UTC" />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText(/No fired executions/)).toBeTruthy();
  });
});
