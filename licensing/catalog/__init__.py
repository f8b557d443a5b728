"""The article catalog: feed import, search, the article data every request points at."""
