"""Reference data: identifiers, regions, industries, dates and working days."""
