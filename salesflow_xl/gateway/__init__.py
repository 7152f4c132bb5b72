"""Where planned changes meet a workbook: one validated run over a file or a live Excel book."""
