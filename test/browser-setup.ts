/** Global setup of the node tests: says, before and after the run, which browser checks cannot run here. */
import { browserChecksRun, browserChecksSkipped } from "./browser.ts";

export default function setup() {
  if (browserChecksRun) return;
  console.warn(`\n${browserChecksSkipped()}\n`);
  return () => console.warn(`\n${browserChecksSkipped()}\n`);
}
