"""Container HEALTHCHECK: GET /health on this container's gunicorn.

The slim image has no curl, so this uses the standard library. It sends a Host
the site accepts (the first ALLOWED_HOSTS entry) and X-Forwarded-Proto: https,
so neither host validation nor the HTTPS redirect can turn a healthy process
into a failing check. Exit 0 = healthy, 1 = unhealthy.
"""

import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("PORT", "8000")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health",
        headers={"Host": host, "X-Forwarded-Proto": "https", "User-Agent": "hangarstack-healthcheck"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (fixed local URL)
            return 0 if response.status == 200 else 1
    except Exception as exc:  # any failure means unhealthy
        print(f"healthcheck failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
