"""Article search speed at 100,000 articles: search_articles for one word, two words, a
prefix, a rare and a common word, an empty query (the newest articles) and URL look-ups; on a
SQLite file and, when it answers, a fresh PostgreSQL database. Aim: under 20 ms.

The catalog is made up with a fixed seed: headlines of 5 to 12 words drawn from a Zipf-like
vocabulary (a few hundred news words, then a long tail of rarer names), indexed exactly as
`upsert_articles` does (`terms_of(title, url words)`), inserted in bulk with SQLAlchemy
Core.

    .venv/bin/python bench/search_bench.py [articles] [runs]
"""
from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

from common import make_app, postgres_database, print_table, row, sqlite_database, timed
from sqlalchemy import insert, text

from licensing.catalog.models import Article, ArticleAsset, ArticleTerm
from licensing.catalog.queries import search_articles
from licensing.catalog.rules import _url_words, terms_of

ARTICLES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 40
AIM_MS = 20.0
SEED = 20161021
BATCH = 10_000
SECTIONS = ("news", "news", "news", "opinion", "features", "video", "in-depth")

NEWS_WORDS = ["us", "turkey", "iraq", "syria", "iran", "israel", "egypt", "saudi", "gaza", "palestinian", "lebanon", "yemen", "libya", "jordan", "qatar", "uae", "russia", "china", "uk", "france", "germany", "europe", "african", "africa", "america", "american", "british", "french", "turkish", "iraqi", "syrian", "iranian", "israeli", "egyptian", "kurdish", "kurds", "arab", "gulf", "mosul", "aleppo", "damascus", "baghdad", "ankara", "tehran", "cairo", "beirut", "riyadh", "doha", "istanbul", "jerusalem", "west", "bank", "tripoli", "sanaa", "raqqa", "idlib", "erdogan", "sisi", "assad", "netanyahu", "putin", "trump", "biden", "obama", "carter", "kerry", "khamenei", "rouhani", "president", "minister", "prime", "government", "army", "military", "forces", "troops", "police", "security", "intelligence", "rebels", "militants", "fighters", "coalition", "opposition", "protesters", "activists", "refugees", "migrants", "civilians", "children", "women", "workers", "students", "journalists", "judges", "lawyers", "doctors", "officials", "leaders", "diplomats", "envoy", "spokesman", "secretary", "defence", "foreign", "interior", "economy", "oil", "gas", "prices", "market", "trade", "deal", "agreement", "talks", "summit", "meeting", "visit", "election", "vote", "poll", "referendum", "parliament", "court", "trial", "verdict", "sentence", "law", "bill", "ban", "reform", "crisis", "war", "conflict", "battle", "offensive", "attack", "strike", "strikes", "airstrikes", "bombing", "explosion", "blast", "shelling", "siege", "ceasefire", "truce", "peace", "aid", "humanitarian", "hunger", "famine", "cholera", "health", "hospital", "school", "university", "mosque", "church", "border", "camp", "prison", "detention", "torture", "rights", "freedom", "press", "media", "report", "investigation", "leak", "documents", "inquiry", "scandal", "corruption", "arrest", "arrested", "killed", "dead", "wounded", "injured", "missing", "hostage", "kidnapped", "released", "freed", "exile", "return", "new", "old", "first", "last", "two", "three", "four", "five", "thousands", "hundreds", "million", "billion", "year", "years", "month", "week", "day", "days", "night", "decade", "history", "says", "said", "warns", "urges", "calls", "claims", "denies", "vows", "pledges", "accuses", "condemns", "rejects", "backs", "supports", "plans", "launches", "opens", "closes", "ends", "begins", "faces", "seeks", "wins", "loses", "takes", "gives", "holds", "meets", "signs", "lasting", "defeat", "closely", "work", "deal", "tensions", "battle", "retake", "second", "city", "alarmed", "washington", "islamic", "state", "group", "al", "qaeda", "hezbollah", "hamas", "brotherhood", "houthis", "isis", "pkk", "ypg", "sdf", "water", "energy", "climate", "drought", "flood", "earthquake", "fire", "storm", "heat", "football", "world", "cup", "olympics", "film", "music", "art", "book", "culture", "food", "women", "rights", "gender", "youth", "education", "jobs", "unemployment", "inflation", "currency", "lira", "pound", "dollar", "bank", "debt", "loan", "imf", "budget", "tax", "sanctions", "exports", "imports"]
SYLLABLES = ["ka", "ra", "mi", "to", "na", "le", "sa", "du", "be", "ri", "fo", "zo", "ha", "ti", "mu", "sel", "dar", "bak", "kir", "lan", "tem", "vos", "ash", "ur", "el", "om", "gan", "tar", "bel", "nur", "qas", "jab", "fal", "ram", "zin", "hor", "dek"]


def vocabulary(rng: random.Random) -> list[str]:
    """News words first (most frequent), then ~30,000 made-up names as the long tail."""
    words = list(dict.fromkeys(NEWS_WORDS))
    seen = set(words)
    while len(words) < 30_000:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def make_catalog(n: int) -> tuple[list[dict], list[dict], list[dict]]:
    rng = random.Random(SEED)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 3) for rank in range(len(words))))
    start = datetime(2015, 1, 1)
    articles, assets, terms = [], [], []
    for i in range(1, n + 1):
        title_words = rng.choices(words, cum_weights=weights, k=rng.randint(5, 12))
        title = " ".join(title_words).capitalize()
        if rng.random() < 0.2:
            title = title.replace(" ", ": ", 1)
        section = rng.choice(SECTIONS)
        url = f"https://www.middleeasteye.net/{section}/{'-'.join(title_words)[:90]}-{i}"
        published = None if rng.random() < 0.01 else start + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
        articles.append({"id": i, "canonical_url": url, "title": title, "standfirst": f"Standfirst of article {i}.",
                         "published_at": published, "section": section.capitalize(), "byline": "MEE staff",
                         "word_count": rng.randint(200, 3000), "language": "en", "created_at": start,
                         "updated_at": start})
        if rng.random() < 0.3:
            agency = rng.choice(("AFP", "Reuters", "AP", "MEE"))
            assets.append({"article_id": i, "kind": "photo", "credit": f"Photograph: {agency}", "description": "",
                           "licensable": agency == "MEE"})
        terms.extend({"term": t, "article_id": i} for t in terms_of(title, _url_words(url)))
    return articles, assets, terms


def load(engine, articles: list[dict], assets: list[dict], terms: list[dict]) -> None:  # noqa: ANN001
    with engine.begin() as conn:
        for table, rows in ((Article.__table__, articles), (ArticleAsset.__table__, assets),
                            (ArticleTerm.__table__, terms)):
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(table), rows[start:start + BATCH])
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # What autovacuum does on PostgreSQL soon after a bulk load; on SQLite the app never runs
        # ANALYZE, so the figures are without statistics (see --analyze below).
        if engine.dialect.name == "postgresql":
            conn.execute(text("VACUUM ANALYZE articles, article_terms, article_assets"))
        elif "--analyze" in sys.argv:
            conn.execute(text("ANALYZE"))


def choose_queries(articles: list[dict], terms: list[dict]) -> list[tuple[str, str]]:
    df = Counter(t["term"] for t in terms)
    title_df = Counter(w for a in articles for w in terms_of(a["title"]))
    by_df = sorted(title_df.items(), key=lambda kv: -kv[1])
    common = by_df[0][0]
    mid = [w for w, c in by_df if 0.005 * len(articles) <= c <= 0.02 * len(articles) and len(w) > 3]
    rare = next(w for w, c in reversed(by_df) if c == 3 and len(w) > 5)
    prefix = mid[0][:3]
    example = articles[len(articles) // 2]["canonical_url"]
    return [
        (f"one word ({mid[0]}, {df[mid[0]]:,} articles)", mid[0]),
        (f"two words ({mid[1]} {mid[2]})", f"{mid[1]} {mid[2]}"),
        (f"four words ({' '.join(mid[3:7])})", " ".join(mid[3:7])),
        (f"prefix, 3 letters ({prefix}...)", prefix),
        ("prefix, 1 letter (s...)", "s"),
        (f"rare word ({rare}, {df[rare]} articles)", rare),
        ("no match (zzqxj)", "zzqxj"),
        (f"common word ({common}, {df[common]:,} articles)", common),
        (f"common + rare ({common} {rare})", f"{common} {rare}"),
        (f"common, never together (opinion {df['opinion']:,} video {df['video']:,})", "opinion video"),
        (f"in every URL (middleeasteye, {df['middleeasteye']:,})", "middleeasteye"),
        ("empty query (newest 20)", ""),
        ("URL look-up (found)", example),
        ("URL look-up (trailing slash)", example + "/"),
        ("URL look-up (not found)", "https://www.middleeasteye.net/news/no-such-article"),
    ]


def search_rows(label: str, url: str, data: tuple, queries: list[tuple[str, str]]) -> list[tuple]:
    application = make_app(url)
    database = application.extensions["database"]
    began = time.perf_counter()
    load(database.engine, *data)
    print(f"{label}: loaded {len(data[0]):,} articles, {len(data[1]):,} assets and {len(data[2]):,} terms "
          f"in {time.perf_counter() - began:.1f} s", flush=True)
    rows = []
    for name, query in queries:
        def search(query: str = query) -> None:
            with database.sessions() as session:
                found = search_articles(session, query, limit=20)
                for article in found:
                    article.assets  # noqa: B018 - the page shows them: must already be loaded
        rows.append(row(f"{name} [{label}]", timed(search, RUNS, warmup=3), AIM_MS))
    database.dispose()
    return rows


def main() -> None:
    began = time.perf_counter()
    data = make_catalog(ARTICLES)
    queries = choose_queries(data[0], data[2])
    print(f"made up {ARTICLES:,} articles in {time.perf_counter() - began:.1f} s", flush=True)
    rows = []
    with sqlite_database() as url:
        rows += search_rows("SQLite", url, data, queries)
    with postgres_database() as url:
        if url:
            rows += search_rows("PostgreSQL", url, data, queries)
    print_table(f"search_articles at {ARTICLES:,} articles ({RUNS} runs each, limit 20)", rows)


if __name__ == "__main__":
    main()
