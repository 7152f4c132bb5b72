"""The xlwings Lite surface: the ribbon's actions as Lite scripts (:mod:`.scripts`), run on the
workbook Lite hands them through :class:`~salesflow_xl.gateway.lite.LiteBook`.

Layer: like the Excel surface, imports ``gateway``, ``actions`` and ``core``; nothing on this
path opens a file, starts a thread or a process (Lite runs Python in the browser)."""
