"""Due process: listings, cases, objections, repair, leniency, publication, measures at the point of
service."""
