/** Store errors in the store's words, the same from every adapter. */

/** Names the rule a refused article broke, in the store's words. */
export function describeConflict(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (message.includes("articles.lang, articles.slug")) return "store: another article of this language already has this slug";
  if (message.includes("articles.story, articles.lang")) return "store: another article already is this story's edition in this language";
  return `store: unable to write the article: ${message}`;
}
