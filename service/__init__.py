"""Newsroom event summarizer: validated, source-grounded event summaries of news articles."""

__version__ = "0.1.0"
