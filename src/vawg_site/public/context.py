"""Template context every page gets: the service's name, where "Exit this page" goes, and
whether the force data in use is generated (so the figures made from it can say so)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from vawg_site.common.caching import force_data_is_synthetic

SERVICE_NAME = "vawg"
SERVICE_TAGLINE = "London VAWG data and analysis"


def site(request: HttpRequest) -> dict[str, Any]:
    """Context for ``base.html``.

    ``synthetic_force`` is True when the force data loaded is generated. The generated-data
    notice (``public/includes/generated_data.html``) is included beside the figures worked out
    from the force's records and nowhere else: a page's published figures (the Met's tables,
    police.uk) are real, and a banner over the whole page would call them made up.
    """
    return {
        "service_name": SERVICE_NAME,
        "service_tagline": SERVICE_TAGLINE,
        "exit_url": reverse("public:exit"),
        "synthetic_force": force_data_is_synthetic(),
    }
