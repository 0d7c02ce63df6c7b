import { setMaxListeners } from 'node:events';
import type { Clock } from '@scheduleman/domain';
import type { Timers } from '../support/timers';

/** Why a call's signal fired: its deadline passed, or the scheduler is shutting down. */
export class CallAbortedError extends Error {}

/**
 * One deadline shared by every call that started in the same short window: one
 * AbortController, one timer and one "aborted" promise for all of them.
 */
export interface CallDeadline {
  readonly signal: AbortSignal;
  /** Rejects with a CallAbortedError when the deadline passes or everything is aborted. */
  readonly aborted: Promise<never>;
}

class Window implements CallDeadline {
  readonly controller = new AbortController();
  readonly aborted: Promise<never>;
  calls = 0;
  timer: unknown;
  private rejectAborted: (error: CallAbortedError) => void = () => undefined;

  constructor(readonly openedAtMs: number) {
    this.aborted = new Promise<never>((_, reject) => {
      this.rejectAborted = reject;
    });
    // Nobody may be racing it when it fires; that is not an unhandled rejection.
    this.aborted.catch(() => undefined);
    // Hundreds of calls listen to one signal at once by design.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: string): void {
    const error = new CallAbortedError(reason);
    this.controller.abort(error);
    this.rejectAborted(error);
  }
}

/**
 * Deadlines for trigger calls, batched: a call joins the window opened by the first call
 * of the last `windowMs` and shares its deadline (opened + timeoutMs), so a call never
 * runs longer than timeoutMs, and at most `windowMs` less. At thousands of fires a second
 * this replaces an AbortController, a timer and a promise per call (which the profile
 * showed costing as much as the HTTP request itself) with one of each per window.
 */
export class CallDeadlines {
  private current: Window | undefined;
  private readonly open = new Set<Window>();
  private shuttingDown = false;

  constructor(
    private readonly options: {
      clock: Clock;
      timers: Timers;
      timeoutMs: number;
      /** How long a window accepts new calls, ms. */
      windowMs: number;
    },
  ) {}

  /** The deadline for a call starting now; pair every begin() with one end(). */
  begin(): CallDeadline {
    const nowMs = this.options.clock.now().getTime();
    let window = this.current;
    if (
      !window ||
      window.signal.aborted ||
      nowMs - window.openedAtMs >= this.options.windowMs
    ) {
      window = this.openWindow(nowMs);
    }
    window.calls += 1;
    if (this.shuttingDown) window.abort('scheduler shutting down');
    return window;
  }

  /** The call is over: its window closes (and its timer stops) once its last call ends. */
  end(deadline: CallDeadline): void {
    // Every deadline handed out by begin() is a Window.
    if (!(deadline instanceof Window)) return;
    const window = deadline;
    window.calls -= 1;
    if (window.calls > 0) return;
    this.options.timers.clearTimeout(window.timer);
    this.open.delete(window);
    if (this.current === window) this.current = undefined;
  }

  /** Aborts every call in flight and every later one (end of the shutdown grace period). */
  abortAll(): void {
    this.shuttingDown = true;
    for (const window of this.open) window.abort('scheduler shutting down');
  }

  private openWindow(nowMs: number): Window {
    const { timeoutMs } = this.options;
    const window = new Window(nowMs);
    window.timer = this.options.timers.setTimeout(
      () => window.abort(`trigger timed out after ${timeoutMs} ms`),
      timeoutMs,
    );
    this.open.add(window);
    this.current = window;
    return window;
  }
}
