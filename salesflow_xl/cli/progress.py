"""Progress bars for long commands: shown on stderr when it is a terminal, silent otherwise
(piped, redirected, in CI, in tests), so output that programs read stays clean.

The core knows nothing of this: commands report the steps they take between calls to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

Step = Callable[..., None]


def stderr_console() -> Console:
    """The console progress is drawn on: stderr, so stdout stays data."""
    return Console(stderr=True)


@contextmanager
def steps(description: str, total: float | None, console: Console | None = None) -> Iterator[Step]:
    """A progress bar of ``total`` steps (``None``: a pulsing bar for work of unknown length).

    Yields ``step(advance=1, description=None)``: moves the bar on and optionally says what is
    being done now. The bar disappears when the block ends; nothing is drawn unless the
    console is a terminal."""
    console = console or stderr_console()
    if not console.is_terminal:
        yield _quiet
        return
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
