"""Headless recalculation with LibreOffice, and the bridge that lets it evaluate SalesFlow's
worksheet functions with the same Python code Excel runs."""
