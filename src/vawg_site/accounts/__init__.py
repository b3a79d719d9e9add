"""Staff accounts: sign-in with a required second factor, lockout and session lifetimes.

A data app with no tables of its own (docs/accounts.md): it writes Django's users and django-otp's
devices through :mod:`.services`, reads them through :mod:`.selectors`, and keeps staff sessions
short in :mod:`.sessions`. The pages that use it are in ``vawg_site.workspace``.
"""
