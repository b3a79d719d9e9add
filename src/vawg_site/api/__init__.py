"""The open-data JSON API (django-ninja) at ``/api/v1/``: areas, months, categories, counts and
hotspots, in the spirit of data.police.uk's API. See ``docs/api.md``."""
