from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "vawg_site.records"
    label = "records"
    verbose_name = "Force records (crimes, people, involvements, orders)"
