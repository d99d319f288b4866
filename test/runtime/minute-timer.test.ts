/** Node's minute task timer: it runs just after the clock's minute turns, one run at a time, and stops. */
import { afterEach, describe, expect, it } from "vitest";
import { everyMinute, type MinuteTimer } from "../../src/runtime/minute-timer.ts";

let timer: MinuteTimer | undefined;
afterEach(() => timer?.stop());

describe("everyMinute", () => {
  it("runs the task once the clock's minute has turned, reading a clock that is past it", async () => {
    // A clock 200 ms before a minute turns, moving with real time.
    const start = Date.now();
    const minute = Date.parse("2099-05-18T00:09:00Z");
    const now = () => minute - 200 + (Date.now() - start);
    const seen: number[] = [];
    const ran = new Promise<void>((resolve) => {
      timer = everyMinute(async () => {
        seen.push(now());
        resolve();
      }, now);
    });
    await ran;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(minute);
    // Not frozen: well within the next minute.
    expect(seen[0]).toBeLessThan(minute + 30_000);
  });

  it("does not start a run while the last one is still going, and runs no more once stopped", async () => {
    let now = Date.parse("2099-05-18T00:09:59.950Z");
    let runs = 0;
    let finish!: () => void;
    const first = new Promise<void>((resolve) => {
      timer = everyMinute(
        () => {
          runs++;
          resolve();
          return new Promise<void>((done) => (finish = done));
        },
        () => now,
      );
    });
    await first;
    // The clock jumps to the next minute's turn while the first run hangs.
    now += 60_000 - 300;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(runs).toBe(1);
    finish();
    timer!.stop();
    now += 60_000;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(runs).toBe(1);
  });
});
