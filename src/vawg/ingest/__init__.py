"""Readers for each source format: pure functions from files to normalised Polars tables.

* :mod:`vawg.ingest.police_uk`: data.police.uk street-level CSV and API ``crimes-street`` JSON,
  outcomes and stop and search (a package, one module per kind of file);
* :mod:`vawg.ingest.mps_vawg`: the Met's VAWG offence and victim counts (London Datastore);
* :mod:`vawg.ingest.mps_recorded`: the Met's recorded crime by borough, ward and LSOA;
* :mod:`vawg.ingest.force`: a force extract (``docs/extract.md``);
* :mod:`vawg.ingest.wards`: ward names to 2024 ward codes;
* :mod:`vawg.ingest.common`: rejections, read results and opening files (gzip, zip, BOM, Latin-1).

Every reader returns what it kept and, for each row it did not keep, a reason: nothing read is
silently dropped. Each table's columns are declared in :mod:`vawg.schemas`. Storage is in
``vawg_site.ingest.services``; nothing here imports Django.
"""
