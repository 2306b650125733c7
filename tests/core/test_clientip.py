from django.test import RequestFactory

from core.clientip import client_ip


def request_with(remote="10.0.0.5", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with(forwarded="1.2.3.4")) == "10.0.0.5"


def test_with_one_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "6.6.6.6" itself; nginx appended the address it saw.
    assert client_ip(request_with(forwarded="6.6.6.6, 198.51.100.7")) == "198.51.100.7"


def test_with_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_with(forwarded="6.6.6.6, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"


def test_missing_or_garbage_header_falls_back_safely(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(forwarded="")) == "10.0.0.5"
    assert client_ip(request_with(remote="not-an-ip")) == "0.0.0.0"  # noqa: S104 - a value, not a bind
