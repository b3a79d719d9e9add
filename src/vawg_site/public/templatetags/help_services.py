"""``{% help_services %}``: the help lists of :mod:`vawg.help_services`, rendered by
``public/includes/help_services.html``, so every page that lists help shows the same services."""

from __future__ import annotations

from typing import Any

from django import template

from vawg.help_services import (
    CLARES_LAW,
    EMERGENCY,
    HAVENS,
    LONDON_SERVICES,
    MET_REPORT_ONLINE,
    NATIONAL_SERVICES,
    NON_EMERGENCY,
    HelpService,
)

register = template.Library()


@register.inclusion_tag("public/includes/help_services.html", takes_context=True)
def help_services(
    context: template.Context, heading_id: str = "where-to-get-help"
) -> dict[str, Any]:
    """The emergency line first, then the Havens, then reporting to the police (the Met online,
    101, Clare's Law), then the national helplines; ``heading_id`` is the id of the section's
    heading, for links to it. When the Havens share one number it is given once."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    phones = {h.phone for h in HAVENS}
    return {
        "on_safety_page": getattr(match, "url_name", "") == "staying_safe_online",
        "heading_id": heading_id,
        "emergency": EMERGENCY,
        "havens": HAVENS,
        "havens_phone": HAVENS[0] if len(phones) == 1 and None not in phones else None,
        "police": [
            *(s for s in LONDON_SERVICES if s not in HAVENS and s != CLARES_LAW),
            NON_EMERGENCY,
            CLARES_LAW,
        ],
        "national": [s for s in NATIONAL_SERVICES if s not in (EMERGENCY, NON_EMERGENCY)],
    }


@register.simple_tag
def met_report_online() -> HelpService:
    """The Met's online reporting service, for pages that point to it in a sentence."""
    return MET_REPORT_ONLINE
