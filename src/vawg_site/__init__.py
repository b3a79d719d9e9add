"""vawg_site: the Django project that puts the vawg analytics core in front of its users.

Storage of the real and force data, the public pages and the JSON API. Views stay thin: they check
a form, call one selector or service, and render.
"""
