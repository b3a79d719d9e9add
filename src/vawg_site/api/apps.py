from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vawg_site.api"
    label = "api"
    verbose_name = "Open-data API"
