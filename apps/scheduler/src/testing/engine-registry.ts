/** What the leak guard needs of an engine (SchedulerEngine has it). */
export interface StoppableEngine {
  readonly running: boolean;
  stop(): Promise<void>;
}

const tracked = new Map<StoppableEngine, string>();

/** Registers an engine built by a test fixture, so a test that leaves it running fails. */
export function trackEngine<T extends StoppableEngine>(
  name: string,
  engine: T,
): T {
  tracked.set(engine, name);
  return engine;
}

/**
 * Stops every tracked engine and forgets them all; returns the names of those that were
 * still running (a leak: the test forgot to stop them).
 */
export async function stopTrackedEngines(): Promise<string[]> {
  const engines = [...tracked];
  tracked.clear();
  const leaked = engines
    .filter(([engine]) => engine.running)
    .map(([, name]) => name);
  await Promise.all(engines.map(([engine]) => engine.stop()));
  return leaked;
}
