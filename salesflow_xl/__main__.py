"""``python -m salesflow_xl``: the ``salesflow`` command."""

from salesflow_xl.cli import main

main()
