"""``/api/docs``: the API described by a plain server-rendered page built from the OpenAPI schema.

django-ninja's Swagger UI and Redoc pages load their scripts from a CDN unless ``ninja`` is an
installed app, and even then send about 1.5 MB of script that needs inline styles. The public site
makes no third-party requests and its Content-Security-Policy allows no inline script or style,
so this page lists each operation, its parameters and responses in HTML, with the site's own
stylesheet, and links to the machine-readable schema at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

from vawg_site.common.http import revalidated

if TYPE_CHECKING:
    from ninja import NinjaAPI


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "where": p.get("in", ""),
                    "required": p.get("required", False),
                    "type": _type_of(p.get("schema", {})),
                    "description": p.get("description", "")
                    or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            responses = [
                {"status": code, "description": r.get("description", ""),
                 "types": ", ".join(r.get("content", {}).keys())}
                for code, r in op.get("responses", {}).items()
            ]  # fmt: skip
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": params,
                    "responses": responses,
                    "anchor": op.get("operationId", path),
                }
            )
    return out


def _type_of(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_of(s) for s in schema["anyOf"] if s.get("type") != "null")
    text = str(schema.get("type", ""))
    if "pattern" in schema:
        text += f" matching {schema['pattern']}"
    if "maximum" in schema:
        text += f", at most {schema['maximum']}"
    return text


class PlainDocs(DocsBase):
    """A docs viewer for django-ninja that renders HTML on the server: no script at all."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "api": api,
            "operations": _operations(dict(schema)),
            "openapi_url": self.get_openapi_url(api, kwargs),
        }
        return revalidated(render(request, "api/docs.html", context))
