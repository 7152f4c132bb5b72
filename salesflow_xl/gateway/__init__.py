"""Where planned changes meet a workbook: one protocol (read a snapshot, write changes) and one
validated :func:`run`, with two gateways behind it — the workbook file (:mod:`.file`) and a
live Excel book through xlwings (:mod:`.excel`).

Layer: imports ``core``, ``actions`` (the changes it applies) and ``workbook``; the surfaces
(CLI, ribbon) import it."""

from salesflow_xl.gateway.base import Gateway, run

__all__ = ["Gateway", "run"]
