"""The staff workspace under ``/workspace/``: sign-in with a second factor, then the staff pages.
Pages only (docs/accounts.md); the accounts themselves are in ``vawg_site.accounts``."""
