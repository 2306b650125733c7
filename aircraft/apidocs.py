"""The API documentation page's content, read off the OpenAPI document (never written twice)."""

from urllib.parse import unquote


def describe(schema: dict) -> str:
    """A JSON Schema as a reader says it: "integer or null", "one of: active, retired", "list of Figure"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " or ".join(describe(option) for option in schema["oneOf"])
    if "const" in schema:
        return f"always {str(schema['const']).lower()}"
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + describe(schema.get("items", {}))
    if kind == "object" and "properties" in schema:
        return "object"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "object of " + describe(schema["additionalProperties"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _properties(schema: dict) -> list[dict]:
    required = set(schema.get("required", []))
    rows = []
    for name, body in schema.get("properties", {}).items():
        inner = next((o for o in body.get("oneOf", []) if o.get("type") != "null"), body)
        rows.append(
            {
                "name": name,
                "type": describe(body),
                "required": name in required,
                "description": body.get("description") or inner.get("description", ""),
                "nested": _properties(inner) if inner.get("type") == "object" and "properties" in inner else [],
            }
        )
    return rows


def page_context(spec: dict) -> dict:
    operations = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            responses = []
            for status, answer in op["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                responses.append(
                    {
                        "status": status,
                        "description": answer["description"],
                        "schema": describe(content["schema"]) if "schema" in content else "",
                        "examples": [
                            {"url": example["externalValue"], "text": unquote(example["externalValue"])}
                            for example in content.get("examples", {}).values()
                        ],
                    }
                )
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "deprecated": op.get("deprecated", False),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": describe(p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": responses,
                }
            )
    schemas = [
        {"name": name, "description": body.get("description", ""), "properties": _properties(body)}
        for name, body in spec["components"]["schemas"].items()
    ]
    tags = [tag["name"] for tag in spec.get("tags", [])]
    return {
        "spec": spec,
        "groups": [(tag, [op for op in operations if op["tag"] == tag]) for tag in tags],
        "schemas": schemas,
    }
