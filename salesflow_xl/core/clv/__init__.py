"""Customer value models: the per-customer summary of an orders table, BG/NBD repeat buying,
Gamma-Gamma spend, their discounted CLV, RFM segments and cohort retention (numpy/scipy)."""
