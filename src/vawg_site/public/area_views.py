"""Find your area: the search page and the "my area" page of a borough or ward.

Both are sent ``Cache-Control: no-store`` (:func:`~vawg_site.common.http.no_store`): a person at
risk may search for their own street, and neither the browser nor any shared cache may keep the
answer. For the same reason they are not kept by the site (no
:func:`~vawg_site.common.http.published_page`): the query never becomes a cache key. Views are
thin: the work is in :mod:`vawg_site.public.presenters.area`, within the same limits on work per
client as the other pages (:func:`~vawg_site.common.http.work_limited`; the key is the client's
address, never the query).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vawg_site.common.geography import area_get, force_area
from vawg_site.common.http import Refused, no_store, work_limited
from vawg_site.public.forms import AreaSearchForm
from vawg_site.public.presenters.area import area_search, force_label, my_area_build


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search by borough, ward, place name or postcode (GET ``q``); one exact match redirects."""
    if "q" not in request.GET:
        return no_store(render(request, "public/search.html", {"form": AreaSearchForm()}))
    form = AreaSearchForm(request.GET)
    if not form.is_valid():
        return no_store(render(request, "public/search.html", {"form": form}, status=400))
    try:  # within the site's limits on work per client, like every page worked out
        found = work_limited(request, lambda: area_search(query=form.cleaned_data["q"]))
    except Refused as refused:
        return refused.response
    if found.redirect is not None and not found.redirect.note:
        return no_store(HttpResponseRedirect(found.redirect.href))
    context = {"form": form, "search": found, "force": force_label()}
    return no_store(render(request, "public/search.html", context))


@require_safe
def my_area(request: HttpRequest, code: str) -> HttpResponse:
    """A borough's or ward's published VAWG figures, rate, London comparison, trend and help."""
    area = area_get(code)
    if area is None:
        raise Http404("No borough or ward with this code")
    try:
        my = work_limited(request, lambda: my_area_build(area=area))
    except Refused as refused:
        return refused.response
    context = {"my": my, "force": force_label(), "area_name": force_area().area_name}
    return no_store(render(request, "public/my_area.html", context))
