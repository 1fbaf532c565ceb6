"""The application layer: every use case once, over one clock and one transaction each."""
