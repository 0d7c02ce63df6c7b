import {
  type ApiHarness,
  expectProblem,
  NO_AUTH,
  startApi,
} from './api-harness';

/** The web UI's files under /ui/ (src/http/ui-static.ts), served from a stand-in build. */
describe('the web UI under /ui/', () => {
  let api: ApiHarness;
  let unbuilt: ApiHarness;

  beforeAll(async () => {
    api = await startApi('ui_static');
    unbuilt = await startApi('ui_unbuilt', {
      uiDir: '/nonexistent/schedule-ui',
    });
  });

  afterAll(async () => {
    await api.close();
    await unbuilt.close();
  });

  it('answers index.html, uncached, for the page and for client-side routes', async () => {
    for (const path of ['/ui/', '/ui/schedules/abc', '/ui/anything/deeper']) {
      const res = await fetch(`${api.base}${path}`);
      expect({
        path,
        status: res.status,
        type: res.headers.get('content-type'),
      }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
      });
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('stand-in for the built UI');
    }
  });

  it('redirects /ui to /ui/ and serves hashed assets as immutable', async () => {
    const bare = await fetch(`${api.base}/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/ui/']);
    const asset = await fetch(`${api.base}/ui/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toContain('ui-fixture asset');
  });

  it('answers a clear 404 when the UI is not built, and the API still works', async () => {
    const res = await unbuilt.request('GET', '/ui/', undefined, NO_AUTH);
    expect(expectProblem(res, 404, 'path').code).toBe('UI_NOT_BUILT');
    expect(JSON.stringify(res.body)).toContain('npm run build');
    expect((await unbuilt.request('GET', '/schedules')).status).toBe(200);
  });
});
