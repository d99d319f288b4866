/** A timer that runs a task just after every minute of the wall clock, one run at a time (Node's minute task). */

/** After the minute turns, so that an article due at that minute is due when the task reads the clock. */
const PAST_THE_MINUTE_MS = 250;

export interface MinuteTimer {
  stop(): void;
}

/**
 * Runs `task` at every minute (PAST_THE_MINUTE_MS after it, on the clock `now`); a run still going when
 * the next minute comes is not doubled. The timer does not keep the process alive.
 */
export function everyMinute(task: () => Promise<unknown>, now: () => number = Date.now): MinuteTimer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    const intoMinute = now() % 60_000;
    const delay = intoMinute < PAST_THE_MINUTE_MS ? PAST_THE_MINUTE_MS - intoMinute : 60_000 - intoMinute + PAST_THE_MINUTE_MS;
    timer = setTimeout(tick, delay);
    timer.unref?.();
  };
  const tick = () => {
    running ??= task()
      .catch(() => undefined)
      .finally(() => (running = null));
    arm();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
