"""SalesFlow XL: a sales process inside the Excel workbook a one-person company runs on."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("salesflow-xl")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
