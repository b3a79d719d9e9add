from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "vawg_site.opendata"
    label = "opendata"
    verbose_name = "Published open data (police.uk, the Met's VAWG counts)"

    def ready(self) -> None:
        from vawg_site.common.caching import data_version_source_add
        from vawg_site.opendata import models

        for model in (
            models.VawgCount,
            models.StreetCrime,
            models.StreetOutcome,
            models.StopSearch,
            models.RecordedCrimeCount,
        ):
            data_version_source_add(name=model._meta.db_table, model=model)
