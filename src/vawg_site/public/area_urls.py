"""The routes of "Find your area" (search, my area), included in :mod:`vawg_site.public.urls`
under the ``public`` namespace (``public:search``, ``public:my_area``)."""

from django.urls import path

from vawg_site.public import area_views

urlpatterns = [
    path("search/", area_views.search, name="search"),
    path("area/<str:code>/", area_views.my_area, name="my_area"),
]
