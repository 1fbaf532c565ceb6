"""Deterministic sample data: subjects, records and the files departments send."""
