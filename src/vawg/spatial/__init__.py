"""Hotspots and harmspots: grids and areas in EPSG:27700, kernel density, Getis-Ord Gi* with
conditional permutation inference and false-discovery-rate control, emerging hotspots, and the
evaluation of each method on the future (hit rate and PAI).

The method, its defaults and its references are in ``docs/hotspots.md``. Every distance is in
metres in the British National Grid (EPSG:27700). The modules are pure: arrays and tables in,
new frozen results out, randomness only through an explicit ``seed``.
"""
