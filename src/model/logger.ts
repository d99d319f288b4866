/** Where every layer reports what happened: one line per message, the runtime decides where it goes. */
export interface Logger {
  info(message: string): void;
  error(message: string): void;
}
