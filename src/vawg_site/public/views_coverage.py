"""The coverage page: what each published source loaded here covers, and when it was loaded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vawg_site.common.http import published_page, revalidated
from vawg_site.public.presenters.coverage import coverage_view


@require_safe
@published_page(params=())
def coverage(request: HttpRequest) -> HttpResponse:
    """Each source's months, force-area boroughs covered, last update and source link."""
    return revalidated(render(request, "public/coverage.html", {"view": coverage_view()}))
