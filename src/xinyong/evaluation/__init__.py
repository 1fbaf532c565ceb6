"""Evaluation runs kept in the database, explanations, and schemes' own cases."""
