"""Who may read what: tokens, access rules and the access log, credit files, credit reports,
webhooks."""
