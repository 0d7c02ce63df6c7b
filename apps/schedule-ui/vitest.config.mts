import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The UI's unit tests: `src/**/*.test.tsx` in jsdom (components with Testing Library, and
// the pure helpers). `npm test` runs them before Jest (tools/test.mjs); the browser tests
// of the built UI are Jest e2e specs in apps/schedule-api/src/e2e/ui*.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.tsx'],
    setupFiles: ['src/test-setup.tsx'],
    restoreMocks: true,
  },
});
