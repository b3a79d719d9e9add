"""Admin pages for loads and the quarantine: list, filter, and export rejected rows as CSV; and
the record of the quarantine's erasures, read-only."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from vawg_site.common.http import csv_safe
from vawg_site.ingest.models import IngestRun, QuarantineErasure, Rejection

if TYPE_CHECKING:
    _RunAdmin = admin.ModelAdmin[IngestRun]
    _RejectionAdmin = admin.ModelAdmin[Rejection]
    _RejectionInline = admin.TabularInline[Rejection, IngestRun]
    _ErasureAdmin = admin.ModelAdmin[QuarantineErasure]
else:
    _RunAdmin = _RejectionAdmin = _ErasureAdmin = admin.ModelAdmin
    _RejectionInline = admin.TabularInline


@admin.action(description="Export the selected rejected rows as CSV")
def rejection_export(
    modeladmin: _RejectionAdmin, request: HttpRequest, queryset: QuerySet[Rejection]
) -> HttpResponse:
    """The rows as CSV, every text cell that a spreadsheet would run as a formula (starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) led by an apostrophe
    (:func:`~vawg_site.common.http.csv_safe`, OWASP's advice on CSV injection).

    Rows end in CRLF (the ``excel`` dialect), so that a raw row holding a lone carriage return
    is quoted and stays one row in the file."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rejections.csv"'
    writer = csv.writer(response)
    writer.writerow(["run", "source", "file", "line", "reason", "raw"])
    for r in queryset.select_related("run").order_by("run_id", "file", "line"):
        cells = (r.run_id, r.run.source, r.file, r.line, r.reason, r.raw)
        writer.writerow([csv_safe(cell) for cell in cells])
    return response


class RejectionInline(_RejectionInline):
    model = Rejection
    fields = ("file", "line", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False


@admin.register(IngestRun)
class IngestRunAdmin(_RunAdmin):
    list_display = ("id", "source", "started_at", "read", "loaded", "duplicates", "rejected")
    list_filter = ("source",)
    readonly_fields = (
        "source",
        "started_at",
        "finished_at",
        "files",
        "read",
        "loaded",
        "duplicates",
        "rejected",
    )
    inlines = (RejectionInline,)


@admin.register(Rejection)
class RejectionAdmin(_RejectionAdmin):
    list_display = ("run", "file", "line", "reason")
    list_filter = ("run__source",)
    search_fields = ("file", "reason", "raw")
    readonly_fields = ("run", "file", "line", "reason", "raw")
    actions = (rejection_export,)


@admin.register(QuarantineErasure)
class QuarantineErasureAdmin(_ErasureAdmin):
    """The record of erasures: read by those who may, changed or deleted by nobody."""

    list_display = ("erased_at", "run_id_erased", "source", "loaded_at", "rows", "reason")
    list_filter = ("source",)
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
