"""URL map: the public site at the root, the admin for staff."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("vawg_site.public.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("vawg_site.api.urls")),
]
