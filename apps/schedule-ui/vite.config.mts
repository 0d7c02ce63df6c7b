import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by schedule-api under /ui/ (apps/schedule-api/src/http/ui-static.ts), so every
// asset URL starts with /ui/.
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: '../../dist/apps/schedule-ui',
    emptyOutDir: true,
  },
});
