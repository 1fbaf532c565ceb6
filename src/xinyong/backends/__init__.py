"""Engines that run a compiled scheme: the database itself, DuckDB, Spark SQL."""
