"""The Excel add-in: building ``SalesFlow.xlam`` from the ribbon XML and VBA sources (build,
compression) and installing it with xlwings (install).

Layer: imports ``core`` and ``ooxml`` only; the CLI's ``install`` command imports it."""
