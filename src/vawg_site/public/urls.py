"""The public site's routes. Every page here is open to anyone and carries "Exit this page"."""

from django.urls import path

from vawg_site.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("data/boroughs/", views.borough_data, name="borough_data"),
    path("exit", views.exit_now, name="exit"),
    path("exit-this-page/", views.exit_this_page, name="exit_this_page"),
    path("staying-safe-online/", views.staying_safe_online, name="staying_safe_online"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("how-we-use-data/", views.how_we_use_data, name="how_we_use_data"),
]
