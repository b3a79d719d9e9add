from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "vawg_site.ingest"
    label = "ingest"
    verbose_name = "Loads and their quarantine of rejected rows"

    def ready(self) -> None:
        from vawg_site.common.caching import data_version_source_add
        from vawg_site.ingest.models import IngestRun

        # Every load records a run in the transaction of its rows, so a re-load that only
        # changes stored rows still changes the data version.
        data_version_source_add(name="ingest_runs", model=IngestRun)
