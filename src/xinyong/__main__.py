"""``python -m xinyong``: the same as the ``xinyong`` command."""

from xinyong.cli.main import main

main()
