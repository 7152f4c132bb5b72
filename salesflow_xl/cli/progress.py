"""Progress bars for long commands: shown on stderr when it is a terminal, silent otherwise
(piped, redirected, in CI, in tests), so output that programs read stays clean.

The core knows nothing of this: commands report the steps they take between calls to it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a bar may be drawn: an action piped or in CI waits
    from rich.console import Console  # for none of it

Step = Callable[..., None]

#: Variables that make rich draw on what is not a terminal (or not draw on one).
RICH_TERMINAL_VARIABLES = ("FORCE_TERMINAL", "TTY_COMPATIBLE", "FORCE_COLOR", "TTY_INTERACTIVE")


def stderr_console() -> Console:
    """The console progress is drawn on: stderr, so stdout stays data."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def steps(description: str, total: float | None, console: Console | None = None) -> Iterator[Step]:
    """A progress bar of ``total`` steps (``None``: a pulsing bar for work of unknown length).

    Yields ``step(advance=1, description=None)``: moves the bar on and optionally says what is
    being done now. The bar disappears when the block ends; nothing is drawn unless the
    console is a terminal."""
    if console is None and not _may_be_terminal():
        yield _quiet
        return
    console = console or stderr_console()
    if not console.is_terminal:
        yield _quiet
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def step(advance: float = 1, description: str | None = None) -> None:
            if description is None:
                bar.advance(task, advance)
            else:
                bar.update(task, advance=advance, description=description)

        yield step


def _quiet(advance: float = 1, description: str | None = None) -> None:
    """The step function when nothing is shown."""


def _may_be_terminal() -> bool:
    """Whether rich could take stderr for a terminal: it is one, or a variable rich reads
    says how to take it."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or any(v in os.environ for v in RICH_TERMINAL_VARIABLES)
