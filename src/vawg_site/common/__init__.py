"""Shared machinery of the site, with no tables of its own: one data version and cache
(:mod:`~vawg_site.common.caching`), HTTP helpers (:mod:`~vawg_site.common.http`) and the London
geography read from the boundary files (:mod:`~vawg_site.common.geography`).

Data apps and audience apps import from here; nothing here imports an app.
"""
