"""Sentence-level trade events: the fine-tuned classifier, its training, baselines, and records."""
