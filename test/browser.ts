/** Where the browser checks find headless Chromium, and whether they run on this machine. */
import { existsSync } from "node:fs";

/** Debian's `chromium`, or the binary named by CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Headless on a closed network, as root, on a fresh profile: without the background-networking flags
 * Chromium keeps trying (and failing) to reach its own services at every start.
 */
export function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
}

/** The test files that drive Chromium, and what each proves. */
export const BROWSER_CHECKS = [
  "test/pages/preview-browser.test.ts (the feed preview and its Destinations panel render in all four languages and take a screenshot)",
  "test/hostile/xss-browser.test.ts (no hostile vector runs in a served page)",
  "test/http/csp-browser.test.ts (pages render under their Content-Security-Policy with no violation)",
];

export const chromiumFound = existsSync(CHROMIUM);

/**
 * Whether the browser checks run. CI must run them, so with CI=true they run without Chromium and
 * fail, saying it is missing; elsewhere they are skipped and the run says so (see browser-setup.ts).
 */
export const browserChecksRun = chromiumFound || process.env.CI === "true";

/** Said in the name of a browser check's suite when it is skipped. */
export const browserSkipNote = browserChecksRun ? "" : ` (skipped: no Chromium at ${CHROMIUM})`;

/** Thrown by a browser check's setup when it runs without Chromium (in CI). */
export function requireChromium(file: string) {
  if (!chromiumFound)
    throw new Error(`${file}: no Chromium at ${CHROMIUM}; install Debian's chromium (apt-get install chromium) or set CHROMIUM`);
}

/** The line `npm test` prints when the browser checks could not run. */
export function browserChecksSkipped(): string {
  return [
    `npm test: Chromium not found at ${CHROMIUM}: the browser checks did not run:`,
    ...BROWSER_CHECKS.map((check) => `  - ${check}`),
    "Install Debian's chromium (apt-get install chromium) or set CHROMIUM to a Chromium binary; CI (CI=true) fails without it.",
  ].join("\n");
}
