/** The words pages show, per language (primary subtag); English where a language has none. */
import { wallClock, type Instant } from "../model/time.ts";

export interface PageStrings {
  posted: string;
  updated: string;
  by: string;
  feeds: string;
  sections: string;
  latest: string;
  editions: string;
  allFeeds: string;
  noArticles: string;
  /** The 410 page of a withdrawn article: its heading, the legal takedown's note, the label of a stated reason. */
  withdrawn: string;
  withdrawnLegal: string;
  withdrawnReason: string;
  /** What an author's page and a tag's page are, and the label of an article's tags. */
  author: string;
  tag: string;
  tags: string;
  date(instant: Instant, zone: string): string;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const hhmm = (t: ReturnType<typeof wallClock>) => `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
const cjkDate = (i: Instant, zone: string) => {
  const t = wallClock(i);
  return `${t.year}年${t.month}月${t.day}日 ${hhmm(t)} ${zone}`;
};

const STRINGS: Record<string, PageStrings> = {
  en: {
    posted: "Posted",
    updated: "Updated",
    by: "By",
    feeds: "Feeds",
    sections: "Sections",
    latest: "Latest",
    editions: "Other editions",
    allFeeds: "Every feed (OPML)",
    noArticles: "No articles yet.",
    withdrawn: "This article has been withdrawn.",
    withdrawnLegal: "This article has been withdrawn for legal reasons.",
    withdrawnReason: "Reason",
    author: "Author",
    tag: "Tag",
    tags: "Tags",
    date(i, zone) {
      const t = wallClock(i);
      return `${MONTHS[t.month - 1]} ${t.day}, ${t.year} ${hhmm(t)} ${zone}`;
    },
  },
  ko: {
    posted: "입력",
    updated: "수정",
    by: "글",
    feeds: "피드",
    sections: "섹션",
    latest: "최신 기사",
    editions: "다른 언어판",
    allFeeds: "모든 피드 (OPML)",
    noArticles: "아직 기사가 없습니다.",
    withdrawn: "이 기사는 삭제되었습니다.",
    withdrawnLegal: "이 기사는 법적 사유로 삭제되었습니다.",
    withdrawnReason: "사유",
    author: "기자",
    tag: "태그",
    tags: "태그",
    date(i, zone) {
      const t = wallClock(i);
      return `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")} ${hhmm(t)} ${zone}`;
    },
  },
  ja: {
    posted: "掲載",
    updated: "更新",
    by: "筆者",
    feeds: "フィード",
    sections: "セクション",
    latest: "最新記事",
    editions: "他言語版",
    allFeeds: "すべてのフィード (OPML)",
    noArticles: "記事はまだありません。",
    withdrawn: "この記事は取り下げられました。",
    withdrawnLegal: "この記事は法的な理由により取り下げられました。",
    withdrawnReason: "理由",
    author: "筆者",
    tag: "タグ",
    tags: "タグ",
    date: cjkDate,
  },
  zh: {
    posted: "发布",
    updated: "更新",
    by: "作者",
    feeds: "订阅源",
    sections: "栏目",
    latest: "最新文章",
    editions: "其他语言版本",
    allFeeds: "全部订阅源 (OPML)",
    noArticles: "暂无文章。",
    withdrawn: "本文已撤回。",
    withdrawnLegal: "本文因法律原因已撤回。",
    withdrawnReason: "原因",
    author: "作者",
    tag: "标签",
    tags: "标签",
    date: cjkDate,
  },
};

export function pageStrings(lang: string): PageStrings {
  return STRINGS[lang.split("-")[0]!.toLowerCase()] ?? STRINGS.en!;
}

const ZONE_NAMES: Record<string, string> = { "Asia/Seoul": "KST", "Asia/Tokyo": "JST", "Asia/Shanghai": "CST", UTC: "UTC" };

/** Short name of the newsroom's zone as readers know it (`KST`), or its offset. */
export function zoneLabel(timeZone: string, instant: Instant): string {
  return ZONE_NAMES[timeZone] ?? `UTC${instant.iso.slice(19)}`;
}
