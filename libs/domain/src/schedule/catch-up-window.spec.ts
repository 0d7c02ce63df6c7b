import { ValidationError } from '../errors';
import {
  catchUpDeadline,
  decideCatchUp,
  parseCatchUpWindow,
} from './catch-up-window';

const T = new Date('2030-01-01T02:30:00.000Z');
const later = (ms: number) => new Date(T.getTime() + ms);

describe('catchUpWindow', () => {
  it('fires without a window however late (the misfire policy alone decides)', () => {
    expect(decideCatchUp(T, later(30 * 86_400_000), null)).toBe('fire');
  });

  it('fires up to exactly the window late and skips a millisecond later', () => {
    expect(decideCatchUp(T, later(600_000), 'PT10M')).toBe('fire');
    expect(decideCatchUp(T, later(600_001), 'PT10M')).toBe('skip');
  });

  it('fires an occurrence that is not late at all', () => {
    expect(decideCatchUp(T, T, 'PT10S')).toBe('fire');
    expect(decideCatchUp(T, later(-5000), 'PT10S')).toBe('fire');
  });

  it('gives the last instant an occurrence may fire', () => {
    expect(catchUpDeadline(T, 'PT10M')?.toISOString()).toBe(
      '2030-01-01T02:40:00.000Z',
    );
    expect(catchUpDeadline(T, null)).toBeNull();
  });

  it('accepts durations from 10 s to 7 days and keeps the text as sent', () => {
    expect(parseCatchUpWindow(' PT10M ')).toBe('PT10M');
    expect(parseCatchUpWindow('PT10S')).toBe('PT10S');
    expect(parseCatchUpWindow('P7D')).toBe('P7D');
    expect(parseCatchUpWindow(null)).toBeNull();
  });

  it.each([
    ['PT9S', /shorter than the minimum of 10 s/],
    ['P8D', /longer than the maximum of 7 d/],
    ['10 minutes', /not an ISO-8601 duration/],
    [600, /must be an ISO-8601 duration string/],
    ['P1M', /years or months/],
  ])('refuses %p naming catchUpWindow', (input, message) => {
    expect(() => parseCatchUpWindow(input)).toThrow(ValidationError);
    expect(() => parseCatchUpWindow(input)).toThrow(message);
    try {
      parseCatchUpWindow(input);
    } catch (error) {
      expect((error as ValidationError).field).toBe('catchUpWindow');
    }
  });
});
