import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Without vitest globals Testing Library cannot register its own cleanup: unmount here,
// so no test sees the last one's DOM.
afterEach(() => {
  cleanup();
});
