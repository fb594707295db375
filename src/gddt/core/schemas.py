"""The base of every API request body: a field the API does not know is refused (a 422 naming it), so that a
misspelt field is never silently dropped; the OpenAPI document says so (`additionalProperties: false`)."""

from ninja import Schema
from pydantic import ConfigDict


class RequestSchema(Schema):
    model_config = ConfigDict(extra="forbid")
