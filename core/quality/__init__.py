"""Measuring and explaining similarity: evaluation, duplicate thresholds, explanations."""
