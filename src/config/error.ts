/** The one error every settings check throws, so the runtimes can tell a bad setting from a crash. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
