import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RecentExecution } from './api';
import { LatestLateness, OutcomeStrip, outcomeText } from './OutcomeStrip';

const run = (
  status: string,
  latenessMs: number | null,
  id = status,
): RecentExecution => ({
  id,
  scheduledAt: '2027-01-01T00:00:00.000Z',
  firedAt: latenessMs === null ? null : '2027-01-01T00:00:00.020Z',
  status,
  latenessMs,
});

describe('outcomeText', () => {
  it('says the status and the lateness, and flags over 10 s', () => {
    expect(outcomeText(run('succeeded', 20))).toBe('succeeded, 0.02 s late');
    expect(outcomeText(run('failed', 12_340))).toBe(
      'failed, 12.3 s late (over 10 s)',
    );
    expect(outcomeText(run('pending', null))).toBe('pending, not fired');
  });
});

describe('OutcomeStrip', () => {
  it('gives each mark its words, not colour alone', () => {
    const { getByRole, getAllByRole } = render(
      <OutcomeStrip
        runs={[run('succeeded', 20, 'a'), run('failed', 1500, 'b')]}
      />,
    );
    expect(getByRole('list').getAttribute('aria-label')).toBe(
      'Last runs, newest first',
    );
    const marks = getAllByRole('listitem');
    expect(marks.map((m) => m.textContent)).toEqual([
      '✓succeeded, 0.02 s late',
      '✗failed, 1.5 s late',
    ]);
    expect(marks.map((m) => m.getAttribute('title'))).toEqual([
      'succeeded, 0.02 s late',
      'failed, 1.5 s late',
    ]);
  });

  it('says none yet without runs', () => {
    const { container } = render(<OutcomeStrip runs={[]} />);
    expect(container.textContent).toBe('none yet');
  });
});

describe('LatestLateness', () => {
  it('is the newest fired run, flagged beyond 10 s', () => {
    const calm = render(
      <LatestLateness
        runs={[run('pending', null, 'p'), run('succeeded', 40)]}
      />,
    );
    expect(calm.container.textContent).toBe('0.04 s');
    calm.unmount();
    const late = render(<LatestLateness runs={[run('failed', 10_500)]} />);
    expect(late.container.querySelector('.late')?.textContent).toBe(
      '⚠ 10.5 s over 10 s',
    );
  });
});
