from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "vawg_site.public"
    label = "public"
    verbose_name = "Public site"
