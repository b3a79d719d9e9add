"""What the public pages show, built from the data apps' selectors: charts, tables, the
dashboard, the maps and the commitment pages (view models with no queries of their own)."""
