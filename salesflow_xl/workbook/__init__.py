"""The SalesFlow workbook: its one description (schema), reading and checking it (reader,
cells, checks, problems), changing it in place (editor, store), the core's value of every
formula cell (cached), and building it (template, dashboard, analytics, computed, build).

Layer: imports ``core`` and ``ooxml`` only; the gateway, the CLI and the tests import it."""
