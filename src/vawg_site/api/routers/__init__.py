"""The API's operations, one django-ninja Router per subject, added to the API in this order (the
order of the OpenAPI schema and of ``/api/docs``)."""
