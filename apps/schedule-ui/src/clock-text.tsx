import { useEffect, useState } from 'react';

/**
 * Text for the list's times: an instant with its UTC offset in a zone, and a countdown.
 * The instants are the API's (nextRunAt); only the distance to the viewer's clock is
 * computed here, for the countdown.
 */

/** `03 Dec 2026, 02:30:00 GMT+1` (en-GB, 24-hour, the zone's offset at that instant). */
export function formatWithOffset(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: '2-digit',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
    timeZone,
  }).format(new Date(iso));
}

/**
 * `in 3 h 12 min`, `in 4 min 5 s`, `in 9 s`, `in 2 d 3 h`; `due now` within a second;
 * `1 min 4 s ago` once past (a next run not yet handed to a scheduler). Two units at
 * most: the second one is enough to see it move.
 */
export function formatCountdown(ms: number): string {
  if (Math.abs(ms) < 1000) return 'due now';
  const total = Math.floor(Math.abs(ms) / 1000);
  const units: [string, number][] = [
    ['d', Math.floor(total / 86_400)],
    ['h', Math.floor(total / 3600) % 24],
    ['min', Math.floor(total / 60) % 60],
    ['s', total % 60],
  ];
  const first = units.findIndex(([, n]) => n > 0);
  const text = units
    .slice(first, first + 2)
    .filter(([, n]) => n > 0)
    .map(([unit, n]) => `${String(n)} ${unit}`)
    .join(' ');
  return ms > 0 ? `in ${text}` : `${text} ago`;
}

/** The viewer's clock, re-read every `intervalMs`: what makes the countdowns tick. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
