from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vawg_site.records"
    label = "records"
    verbose_name = "Force records (crimes, people, involvements, orders)"

    def ready(self) -> None:
        from vawg_site.common.caching import data_version_source_add
        from vawg_site.records import models

        for model in (models.Crime, models.Person, models.Involvement, models.Order):
            data_version_source_add(name=model._meta.db_table, model=model)
