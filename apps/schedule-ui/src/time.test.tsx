import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Instant, lateness } from './time';

describe('Instant', () => {
  it('is a <time> whose datetime is the ISO UTC instant, whatever the zone shown', () => {
    const { container } = render(
      <Instant at="2027-03-28T01:30:00+00:00" zone="Europe/Berlin" />,
    );
    const time = container.querySelector('time');
    expect(time?.getAttribute('datetime')).toBe('2027-03-28T01:30:00.000Z');
    expect(time?.textContent).toContain('03:30:00');
  });

  it('says none when there is no instant', () => {
    const { container } = render(<Instant at={null} />);
    expect(container.querySelector('time')).toBeNull();
    expect(container.textContent).toBe('none');
  });
});

describe('lateness', () => {
  it('is firedAt − scheduledAt in seconds, empty until fired', () => {
    expect(
      lateness('2027-01-01T00:00:00.000Z', '2027-01-01T00:00:01.250Z'),
    ).toBe('1.3 s');
    expect(lateness('2027-01-01T00:00:00.000Z', null)).toBe('');
  });
});
