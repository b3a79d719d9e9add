"""Reads of the data already published by its owner, for the pages and the API.

* :mod:`.met`: the Met's VAWG offence and victim counts (London Datastore), sheet by sheet;
* :mod:`.police_uk`: data.police.uk street-level crimes and stop-and-search records;
* :mod:`.hotspots`: the one ward and the one grid hotspot analysis the maps and the API share.

Published figures are shown as published, small counts included: they hold no force records. The
Met's sheets (location, classification, victims by age group, by ethnic group) count the same
offences or victims in different ways and are read one at a time, never added to each other.
Every read is kept per data version (:func:`vawg_site.common.caching.cached`).
"""
