import { stopTrackedEngines } from './src/testing/engine-registry';

/*
 * Runs after each test of the scheduler project (setupFilesAfterEnv): a test that
 * leaves an engine running fails here, and the engine is stopped so it cannot disturb
 * the next test. Engines register themselves through createTestEngine.
 */
afterEach(async () => {
  const leaked = await stopTrackedEngines();
  if (leaked.length > 0)
    throw new Error(
      `test left ${leaked.length} engine(s) running: ${leaked.join(', ')}; stop them in the test`,
    );
});
