"""The subject registry: subjects, their records, name search and tags."""
