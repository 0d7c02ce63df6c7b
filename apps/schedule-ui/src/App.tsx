import { useEffect, useState } from 'react';
import { api, ApiError, storedKey, storeKey } from './api';
import { Flash } from './flash';
import { Login } from './Login';
import { ScheduleDetail } from './ScheduleDetail';
import { ScheduleList } from './ScheduleList';
import { ScheduleForm } from './ScheduleForm';
import { matchRoute, navigate, useRoute } from './router';

type Access = 'checking' | 'open' | 'key' | 'login';

/**
 * Which screen: one `GET /schedules` decides. It answers without a key when auth is off
 * (AUTH_DISABLED=true, as `npm start` runs): straight to the list. A 401 means a key is
 * needed: the stored one if it still works, the login page otherwise.
 */
export function App() {
  const [access, setAccess] = useState<Access>('checking');
  const route = useRoute();

  useEffect(() => {
    void (async () => {
      try {
        await api('GET', '/schedules?limit=1', { key: null });
        setAccess('open');
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 401)) {
          setAccess('open'); // not an auth problem: the pages show the error
          return;
        }
      }
      const key = storedKey();
      if (key !== null) {
        try {
          await api('GET', '/schedules?limit=1', { key });
          setAccess('key');
          return;
        } catch {
          storeKey(null);
        }
      }
      setAccess('login');
    })();
  }, []);

  if (access === 'checking') return <p className="muted">Loading…</p>;
  if (access === 'login') return <Login onLogin={() => setAccess('key')} />;
  const page = matchRoute(route);
  return (
    <>
      <header>
        <h1>scheduleman</h1>
        {access === 'key' && (
          <button
            type="button"
            onClick={() => {
              storeKey(null);
              navigate('/');
              setAccess('login');
            }}
          >
            Log out
          </button>
        )}
      </header>
      <main>
        <Flash />
        {page.page === 'detail' && <ScheduleDetail id={page.id} />}
        {page.page === 'edit' && <ScheduleForm id={page.id} />}
        {page.page === 'new' && <ScheduleForm />}
        {page.page === 'list' && <ScheduleList />}
      </main>
    </>
  );
}
