"""The access log (DPA 2018 s.62): one append-only row for every collection, alteration,
consultation, disclosure, combination or erasure of personal data. Written by
:mod:`vawg_site.audit.services`, read by :mod:`vawg_site.audit.selectors`; ``docs/audit.md``."""
