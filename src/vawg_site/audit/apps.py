from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vawg_site.audit"
    label = "audit"
    verbose_name = "The access log (DPA 2018 s.62)"
