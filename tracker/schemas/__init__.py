"""One pydantic model per shape the app exchanges: the API's bodies, queries and records, the
imports' rows, and the reports every door hands to the services. The OpenAPI document is
generated from these models (tracker/api/openapi.py)."""
