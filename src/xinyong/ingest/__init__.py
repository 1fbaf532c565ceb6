"""Batches from departments: readers, column profiles, row checks, the batch writer."""
