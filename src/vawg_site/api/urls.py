"""The API's URL patterns, included at ``/api/`` by the project's URL map (namespace ``api``,
which django-ninja reverses to find the schema)."""

from vawg_site.api.api import api

urlpatterns = api.urls[0]
app_name = api.urls_namespace
