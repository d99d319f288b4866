/** Loads the content folder into the store: every valid article is written, every problem reported. */
import type { Site } from "../feeds/build.ts";
import type { Logger } from "../http/app.ts";
import type { ArticleStore, UpsertReport } from "../store/store.ts";
import { loadContentFolder } from "./sources/content-files.ts";
import type { ContentProblem } from "./sources/content.ts";

export interface ContentLoadReport extends UpsertReport {
  problems: ContentProblem[];
}

export async function loadContentIntoStore(store: ArticleStore, site: Site, dir: string, logger: Logger): Promise<ContentLoadReport> {
  const { articles, problems } = loadContentFolder(dir, site.settings, site.siteUrl);
  const report = await store.upsert(articles);
  for (const problem of problems) logger.error(problem.message);
  for (const failure of report.failed) logger.error(`content: ${failure.source}: ${failure.error}`);
  logger.info(
    `content: ${articles.length} articles read from ${dir}: ${report.inserted.length} new, ${report.updated.length} changed, ` +
      `${report.unchanged} unchanged, ${problems.length + report.failed.length} with problems`,
  );
  return { ...report, problems };
}
