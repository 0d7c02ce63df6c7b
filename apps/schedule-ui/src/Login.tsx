import { type SubmitEvent, useState } from 'react';
import { api, ApiError, storeKey } from './api';

/** Asks for an API key, checks it with one `GET /schedules`, then keeps it for the tab. */
export function Login({ onLogin }: { onLogin: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('GET', '/schedules?limit=1', { key: key.trim() });
      storeKey(key.trim());
      onLogin();
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? 'That API key was not accepted (401). Check it and try again.'
          : `Could not log in: ${String(e)}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <h1>scheduleman</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          autoFocus
          required
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        {error !== null && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
