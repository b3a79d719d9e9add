"""The site's settings, one module for each place it runs.

- ``vawg_site.config.settings.base``: everything shared; runs ``vawg demo`` over plain
  http://127.0.0.1 with no setup.
- ``vawg_site.config.settings.test``: the base with lean test settings; pytest uses it.
- ``vawg_site.config.settings.production``: the base hardened for a deployment; it refuses to
  start with the default signing key, with debug on, or without ``VAWG_ALLOWED_HOSTS``.

``DJANGO_SETTINGS_MODULE=vawg_site.config.settings`` (this package, the name every command and
deployment used before the split) means the base settings, unchanged: nothing that ran before
refuses to start now. A deployment opts in to the hardening by naming ``.production``.
"""

from vawg_site.config.settings.base import *  # noqa: F403
