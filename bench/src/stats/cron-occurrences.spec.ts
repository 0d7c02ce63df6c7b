import { everyNSecondsOccurrences } from './cron-occurrences';

const minute = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('everyNSecondsOccurrences', () => {
  it('fires every second for a step of one, both ends included', () => {
    expect(everyNSecondsOccurrences(1, minute, minute + 3000)).toEqual([
      minute,
      minute + 1000,
      minute + 2000,
      minute + 3000,
    ]);
  });

  it('restarts a step that does not divide 60 at each minute, as cron does', () => {
    const times = everyNSecondsOccurrences(7, minute, minute + 70_000).map(
      (t) => (t - minute) / 1000,
    );
    expect(times).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 60, 67]);
  });

  it('starts at the first whole second at or after the window start', () => {
    expect(everyNSecondsOccurrences(2, minute + 1, minute + 4000)).toEqual([
      minute + 2000,
      minute + 4000,
    ]);
  });
});
