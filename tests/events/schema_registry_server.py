"""A small Confluent-compatible Schema Registry on 127.0.0.1, for tests.

No registry server installs on these machines (Confluent's is a JVM service),
so the client is tested against the registry's documented REST contract
(docs.confluent.io, "Schema Registry API Reference"): the endpoints, bodies,
status and error codes confluent-kafka's SchemaRegistryClient uses, HTTP basic
auth as Confluent Cloud takes its API key and secret. Compatibility is decided
with events.compatibility for the BACKWARD levels, as a registry would refuse.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

from events.compatibility import backward_problems

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class Registry:
    def __init__(self, *, api_key: str = "", api_secret: str = "") -> None:
        self.credentials = f"{api_key}:{api_secret}" if api_key else None
        self.schemas: list[str] = []  # id - 1 -> schema string (ids are global, as in the registry)
        self.subjects: dict[str, list[int]] = {}  # subject -> schema ids by version
        self.levels: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) as received
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Registry:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- state ---------------------------------------------------------------
    def add(self, subject: str, schema: str) -> int:
        """Register directly (seeding a test); returns the schema id."""
        schema_id = self._id_for(schema)
        self.subjects.setdefault(subject, []).append(schema_id)
        return schema_id

    def _id_for(self, schema: str) -> int:
        parsed = json.loads(schema)
        for index, known in enumerate(self.schemas):
            if json.loads(known) == parsed:
                return index + 1
        self.schemas.append(schema)
        return len(self.schemas)

    def _version_of(self, subject: str, schema: str) -> int | None:
        parsed = json.loads(schema)
        for version, schema_id in enumerate(self.subjects.get(subject, []), start=1):
            if json.loads(self.schemas[schema_id - 1]) == parsed:
                return version
        return None

    def _compatible(self, subject: str, schema: str) -> list[str]:
        level = self.levels.get(subject, "BACKWARD")
        versions = self.subjects.get(subject, [])
        if not versions or not level.startswith("BACKWARD"):
            return []
        against = versions if level.endswith("TRANSITIVE") else versions[-1:]
        new = json.loads(schema)
        return [p for schema_id in against for p in backward_problems(json.loads(self.schemas[schema_id - 1]), new)]

    def _registered(self, subject: str, version: int) -> dict:
        schema_id = self.subjects[subject][version - 1]
        return {
            "subject": subject,
            "version": version,
            "id": schema_id,
            "schemaType": "JSON",
            "schema": self.schemas[schema_id - 1],
        }

    # --- HTTP ----------------------------------------------------------------
    def _handler(self):
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: int, message: str) -> None:
                self._send(status, {"error_code": code, "message": message})

            def _authorised(self) -> bool:
                if registry.credentials is None:
                    return True
                expected = "Basic " + base64.b64encode(registry.credentials.encode()).decode()
                return self.headers.get("Authorization") == expected

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                path, query = unquote(url.path), parse_qs(url.query)
                registry.requests.append((method, path))
                if not self._authorised():
                    return self._error(401, 401, "Unauthorized")
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                with registry._lock:
                    return self._dispatch(method, path, query, body)

            def _dispatch(self, method: str, path: str, query: dict, body: dict) -> None:
                if m := re.fullmatch(r"/config/(.+)", path):
                    subject = m[1]
                    if method == "PUT":
                        registry.levels[subject] = body["compatibility"]
                        return self._send(200, {"compatibility": body["compatibility"]})
                    if subject in registry.levels:
                        return self._send(200, {"compatibilityLevel": registry.levels[subject]})
                    return self._error(404, 40408, f"Subject '{subject}' does not have subject-level compatibility")
                if m := re.fullmatch(r"/compatibility/subjects/(.+)/versions/latest", path):
                    if m[1] not in registry.subjects:
                        return self._error(404, 40401, f"Subject '{m[1]}' not found.")
                    problems = registry._compatible(m[1], body["schema"])
                    return self._send(200, {"is_compatible": not problems, "messages": problems})
                if m := re.fullmatch(r"/subjects/(.+)/versions/latest", path):
                    if m[1] not in registry.subjects:
                        return self._error(404, 40401, f"Subject '{m[1]}' not found.")
                    return self._send(200, registry._registered(m[1], len(registry.subjects[m[1]])))
                if (m := re.fullmatch(r"/subjects/(.+)/versions", path)) and method == "POST":
                    subject, schema = m[1], body["schema"]
                    json.loads(schema)  # a registry answers 422 (42201) to an invalid schema
                    version = registry._version_of(subject, schema)
                    if version is None:
                        if registry._compatible(subject, schema):
                            return self._error(
                                409, 409, "Schema being registered is incompatible with an earlier schema"
                            )
                        registry.add(subject, schema)
                        version = len(registry.subjects[subject])
                    return self._send(200, {"id": registry.subjects[subject][version - 1]})
                if (m := re.fullmatch(r"/subjects/([^/]+)", path)) and method == "POST":
                    if m[1] not in registry.subjects:
                        return self._error(404, 40401, f"Subject '{m[1]}' not found.")
                    version = registry._version_of(m[1], body["schema"])
                    if version is None:
                        return self._error(404, 40403, "Schema not found")
                    return self._send(200, registry._registered(m[1], version))
                if m := re.fullmatch(r"/schemas/ids/(\d+)", path):
                    schema_id = int(m[1])
                    if not 0 < schema_id <= len(registry.schemas):
                        return self._error(404, 40403, "Schema not found")
                    return self._send(200, {"schema": registry.schemas[schema_id - 1], "schemaType": "JSON"})
                return self._error(404, 404, f"no route {method} {path}")

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PUT(self) -> None:
                self._route("PUT")

        return Handler
