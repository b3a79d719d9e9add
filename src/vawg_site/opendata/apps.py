from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "vawg_site.opendata"
    label = "opendata"
    verbose_name = "Published open data (police.uk, the Met's VAWG counts)"
