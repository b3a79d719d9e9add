from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "vawg_site.ingest"
    label = "ingest"
    verbose_name = "Loads and their quarantine of rejected rows"
