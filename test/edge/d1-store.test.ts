/** The ArticleStore contract, the same suite as SQLite's, on D1 inside workerd. */
import { env } from "cloudflare:test";
import { d1Store } from "../../src/store/d1.ts";
import { describeArticleStoreContract } from "../store/contract.ts";
import { clearDatabase } from "./clear.ts";

describeArticleStoreContract("D1 in workerd", async () => {
  await clearDatabase(env.DB);
  return d1Store(env.DB);
});
