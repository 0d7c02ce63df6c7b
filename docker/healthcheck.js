// Container HEALTHCHECK: GET /health/live on this app's port, exit 0 when it answers 2xx.
// Slim images have no curl or wget, so this is plain Node (global fetch, Node >= 18).
'use strict';

// Each app's default PORT, used when the container does not set PORT explicitly.
const DEFAULT_PORTS = {
  'schedule-api': 3000,
  scheduler: 3001,
  'task-pretender': 3100,
};

const port =
  process.env.PORT || DEFAULT_PORTS[process.env.SCHEDULEMAN_APP] || 3000;

fetch(`http://127.0.0.1:${port}/health/live`, {
  signal: AbortSignal.timeout(2000),
})
  .then((response) => process.exit(response.ok ? 0 : 1))
  .catch(() => process.exit(1));
