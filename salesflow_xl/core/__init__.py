"""The pure core of SalesFlow: records, stage moves, metrics, demo data.

Nothing here touches a file, Excel or the console; every surface (Excel functions, ribbon, CLI,
tests) calls these same functions.
"""
