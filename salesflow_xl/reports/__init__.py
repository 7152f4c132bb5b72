"""The report as people read it: terminal tables, matplotlib charts, one self-contained HTML
page. Every figure comes from :class:`salesflow_xl.core.report.Report`."""
