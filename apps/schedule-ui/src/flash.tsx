import { useRoute } from './router';

/**
 * A message that outlives one navigation: the form sets it, then navigates to the
 * schedule's page, where it shows as a status ("Schedule created.") until the next page.
 * Kept in memory only: a reload has nothing to announce.
 */
let flash: { route: string; text: string } | null = null;

export function setFlash(route: string, text: string): void {
  flash = { route, text };
}

export function Flash() {
  const route = useRoute();
  if (flash === null) return null;
  if (flash.route !== route) {
    flash = null;
    return null;
  }
  return (
    <p role="status" className="notice">
      {flash.text}
    </p>
  );
}
