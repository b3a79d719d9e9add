"""The public site's routes. Every page here is open to anyone and carries "Exit this page"."""

from django.urls import include, path

from vawg_site.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("data/", views.dashboard, name="dashboard"),
    path("data/wards.json", views.dashboard_wards, name="dashboard_wards"),
    path("data/boroughs/", views.borough_data, name="borough_data"),
    path("data/maps/wards/", views.ward_map, name="ward_map"),
    path("data/maps/wards/data.json", views.ward_map_data, name="ward_map_data"),
    path("data/maps/street/", views.street_map, name="street_map"),
    path("data/maps/street/data.json", views.street_map_data, name="street_map_data"),
    path("data/maps/outlines/<slug:layer>.geojson", views.outlines, name="outlines"),
    path("commitments/<int:number>/", views.commitment, name="commitment"),
    path("exit", views.exit_now, name="exit"),
    path("exit-this-page/", views.exit_this_page, name="exit_this_page"),
    path("staying-safe-online/", views.staying_safe_online, name="staying_safe_online"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("how-we-use-data/", views.how_we_use_data, name="how_we_use_data"),
    path("", include("vawg_site.public.area_urls")),  # Find your area: search/, area/<code>/
]
