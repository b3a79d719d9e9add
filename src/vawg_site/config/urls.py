"""URL map: the public site at the root, the staff workspace, the admin for staff."""

from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from vawg_site.workspace.views import admin_sign_in

# The admin needs a verified second factor too, and signs in through the workspace's sign-in.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("vawg_site.public.urls")),
    path("workspace/", include("vawg_site.workspace.urls")),
    path("admin/login/", admin_sign_in, name="admin_sign_in"),
    path("admin/", admin.site.urls),
    path("api/", include("vawg_site.api.urls")),
]
