"""Where the records live: the tables, the database and its migrations, the audit log and the
outbox."""
