import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScheduleForm } from './ScheduleForm';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const NOTE =
  '02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks jump from 02:00 to 03:00); fires once at 03:00 +02:00 (2027-03-28T01:00:00.000Z)';

// Rendering the whole form in jsdom on a shared, busy machine can take seconds: a timeout, not a speed claim.
describe('ScheduleForm', { timeout: 30_000 }, () => {
  let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;

  beforeEach(() => {
    vi.useFakeTimers();
    fetchMock = vi.fn<typeof fetch>();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function previewCalls() {
    return fetchMock.mock.calls.filter(([url]) => url === '/schedules/preview');
  }

  it('asks for the preview once, after the typing pauses, and shows its occurrences and notes', async () => {
    fetchMock.mockResolvedValue(
      json(200, {
        items: [{ at: '2027-03-28T01:00:00.000Z', notes: [NOTE] }],
      }),
    );
    render(<ScheduleForm />);
    fireEvent.change(screen.getByLabelText('Time zone'), {
      target: { value: 'Europe/Berlin' },
    });
    const expression = screen.getByLabelText('Cron expression');
    let typed = '';
    for (const ch of '30 2 28 3 *') {
      typed += ch;
      fireEvent.change(expression, { target: { value: typed } });
      act(() => {
        vi.advanceTimersByTime(100);
      });
    }
    expect(previewCalls()).toHaveLength(0);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(previewCalls()).toHaveLength(1);
    const [, init] = previewCalls()[0] ?? [];
    expect(init?.method).toBe('POST');
    expect(JSON.parse(init?.body as string)).toEqual({
      schedule: {
        type: 'cron',
        expression: '30 2 28 3 *',
        timezone: 'Europe/Berlin',
      },
      count: 10,
    });
    const region = screen.getByRole('region', { name: 'Preview' });
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.querySelector('time')?.getAttribute('datetime')).toBe(
      '2027-03-28T01:00:00.000Z',
    );
    expect(region.textContent).toContain(NOTE);
    // Nothing else was asked for while typing.
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('aborts a preview still in flight when the spec changes, and shows only the newer answer', async () => {
    const signals: AbortSignal[] = [];
    fetchMock.mockImplementation((_url, init) => {
      const signal = init?.signal ?? undefined;
      if (signal) signals.push(signal);
      if (signals.length === 1)
        // The first answer never comes: only the abort ends it.
        return new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      return Promise.resolve(
        json(200, { items: [{ at: '2027-01-01T00:00:00.000Z', notes: [] }] }),
      );
    });
    render(<ScheduleForm />);
    const expression = screen.getByLabelText('Cron expression');
    fireEvent.change(expression, { target: { value: '0 0 * * *' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(signals).toHaveLength(1);
    fireEvent.change(expression, { target: { value: '0 0 1 1 *' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    const region = screen.getByRole('region', { name: 'Preview' });
    expect(region.querySelector('time')?.getAttribute('datetime')).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it("shows a refused preview's message beside the expression", async () => {
    fetchMock.mockResolvedValue(
      json(400, {
        code: 'VALIDATION_FAILED',
        message: 'schedule.expression: minute field "61" is out of range 0-59',
        errors: [
          {
            field: 'schedule.expression',
            message: 'minute field "61" is out of range 0-59',
          },
        ],
      }),
    );
    render(<ScheduleForm />);
    const expression = screen.getByLabelText('Cron expression');
    fireEvent.change(expression, { target: { value: '61 * * * *' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(expression.getAttribute('aria-invalid')).toBe('true');
    const described = expression.getAttribute('aria-describedby') ?? '';
    const message = described
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent)
      .join(' ');
    expect(message).toContain('minute field "61" is out of range 0-59');
  });

  it('puts a refused submit beside its field, focuses it and sums it up in an alert', async () => {
    fetchMock.mockImplementation((url) =>
      Promise.resolve(
        url === '/schedules'
          ? json(400, {
              code: 'VALIDATION_FAILED',
              message: 'trigger.url: scheme "ftp" is not allowed',
              errors: [
                {
                  field: 'trigger.url',
                  message: 'scheme "ftp" is not allowed; use http or https',
                },
              ],
            })
          : json(200, { items: [] }),
      ),
    );
    render(<ScheduleForm />);
    fireEvent.change(screen.getByLabelText('Cron expression'), {
      target: { value: '* * * * *' },
    });
    const url = screen.getByLabelText('URL');
    fireEvent.change(url, { target: { value: 'ftp://127.0.0.1/x' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create schedule' }));
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('f-url-error')?.textContent).toBe(
      'scheme "ftp" is not allowed; use http or https',
    );
    expect(document.activeElement).toBe(url);
    expect(screen.getByRole('alert').textContent).toContain('trigger.url');
    const sent = fetchMock.mock.calls.find(([u]) => u === '/schedules');
    expect(JSON.parse(sent?.[1]?.body as string)).toMatchObject({
      trigger: { type: 'webhook', url: 'ftp://127.0.0.1/x' },
    });
  });
});
