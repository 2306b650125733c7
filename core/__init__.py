"""Small shared request helpers that know no app: the bottom layer.

The request id and acting user (context), the client's address (clientip),
the one shape of a JSON error (errors), log records carrying the request id
(logs), Redis as a cache behind a circuit breaker (cache) and the OpenAPI
generator (openapi). The catalogue, events and the project package import
from here; nothing here imports any of them (tests/test_layers.py checks).
"""
