"""The ``xinyong`` command: thin commands over the application layer."""
