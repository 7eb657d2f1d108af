"""Batch over news archives: readers, a resumable ledger and an async runner."""
