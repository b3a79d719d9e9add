"""The job queue: long work (loads, nightly and monthly reviews, briefings) run by `vawg worker`
on the site's own database, SQLite or PostgreSQL (docs/jobs.md)."""
