"""Reads of the stored ONS Postcode Directory postcodes (:class:`~vawg_site.opendata.models.
Postcode`).

Never kept in the site's cache: a postcode someone searched for must not become a cache key that
outlives the request (the search may be of a person's own street).
"""

from __future__ import annotations

from vawg.postcodes import postcode_normalise
from vawg_site.opendata.models import Postcode


def postcodes_loaded() -> bool:
    """Whether any postcode is stored (``vawg ingest postcodes`` has run)."""
    return Postcode.objects.exists()


def postcode_find(*, text: str) -> Postcode | None:
    """The stored postcode that ``text`` names (any case or spacing), or None."""
    postcode = postcode_normalise(text)
    if postcode is None:
        return None
    return Postcode.objects.filter(postcode=postcode).first()
