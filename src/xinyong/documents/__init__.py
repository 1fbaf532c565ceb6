"""Documents xinyong renders for people: the one zh/en message catalog, the Jinja2 templates
of the portal pages and of credit reports, and a report as HTML or PDF."""
