"""<session:fetch> over real HTTP on loopback: every cell of the encoding table (ors-extensions.md §3.3), the header mapping (§3.5), responses (§3.6), events and error codes (§3.7), file: URLs."""

from __future__ import annotations

import json
import os
import time

import pytest

from scxmlc_runtime import RealClock
from scxmlc_runtime.js import to_py

from .conftest import load, ors
from .httpserver import Reply

DATA = '<data id="reqid" expr="\'\'"/><data id="early"/><data id="ev"/><data id="obj" expr="({a: 1})"/>'


def fetch_chart(attrs: str, children: str = "") -> str:
    return ors(
        f"""<state id="s">
          <onentry>
            <session:fetch requestid="reqid" {attrs}>{children}</session:fetch>
            <assign location="early" expr="reqid"/>
          </onentry>
          <transition event="session.fetch.done" target="ok"><assign location="ev" expr="_event"/></transition>
          <transition event="error.*" target="failed"><assign location="ev" expr="_event"/></transition>
        </state>
        <final id="ok"/><final id="failed"/>""",
        data=DATA,
    )


def run_fetch(make_host, attrs: str, children: str = "", seconds: float = 10, **host_kwargs):
    """Run one fetch to its end; (machine, the result event as Python data)."""
    chart = load(fetch_chart(attrs, children))
    host = make_host(**host_kwargs)
    sm = host.start(chart.Chart)
    host.run_until_idle(max_seconds=seconds)
    assert sm.done, f"no result within {seconds} s: {sm.configuration}"
    return sm, to_py(sm.datamodel["ev"])


def q(s: str) -> str:
    """A JS string literal for an attribute."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- the encoding table (§3.3) ---------------------------------------------------------------------

URL_VALUES = [
    ("'a b'", "a%20b"),
    ("1", "1"),
    ("1.5", "1.5"),
    ("true", "true"),
    ("false", "false"),
    ("null", "null"),
    ("undefined", "undefined"),
    ("[1,2,{}]", "1%2C2%2C%5Bobject%20Object%5D"),
    ("({x: 1})", "%5Bobject%20Object%5D"),
    ("'é&amp;='", "%C3%A9%26%3D"),
    ("[]", ""),
]


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("expr,encoded", URL_VALUES)
def test_get_and_delete_params_go_into_the_query_with_the_value_rules(make_host, server, method, expr, encoded):
    sm, ev = run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/p'))}\" method=\"'{method}'\" type=\"'text/plain'\"",
        f'<param name="v" expr="{expr}"/>',
    )
    assert ev["name"] == "session.fetch.done"
    rec = server.received()[-1]
    assert rec.method == method.upper()
    assert rec.target == f"/p?v={encoded}"
    assert rec.body == b"" and rec.header("Content-Type") is None


def test_param_names_are_encoded_duplicates_kept_and_an_existing_query_extended(make_host, server):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/p?x=1'))}\" type=\"'text/plain'\"",
        '<param name="a b" expr="1"/><param name="n" expr="1"/><param name="n" expr="2"/>',
    )
    assert server.received()[-1].target == "/p?x=1&a%20b=1&n=1&n=2"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_get_content_is_its_literal_text_url_encoded_not_evaluated(make_host, server, method):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/c'))}\" method=\"'{method}'\" type=\"'text/plain'\"",
        "<content>  a=1&amp;b=x y&amp;c=é  </content>",
    )
    assert server.received()[-1].target == "/c?a=1&b=x%20y&c=%C3%A9"


@pytest.mark.parametrize("method", ["get", "delete"])
def test_json_encoding_with_get_or_delete_falls_back_to_the_query(make_host, server, runtime_log, method):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/j'))}\" method=\"'{method}'\" type=\"'text/plain'\" enctype=\"'application/json'\"",
        '<param name="a" expr="1"/>',
    )
    rec = server.received()[-1]
    assert rec.target == "/j?a=1" and rec.body == b""
    assert any("cannot send JSON" in r.getMessage() for r in runtime_log.records)


@pytest.mark.parametrize("method", ["post", "put"])
def test_post_and_put_url_encoded_params_are_the_body(make_host, server, method):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/f'))}\" method=\"'{method}'\" type=\"'text/plain'\"",
        '<param name="a" expr="\'x y\'"/><param name="b" expr="[1,2]"/><param name="a" expr="null"/>',
    )
    rec = server.received()[-1]
    assert rec.method == method.upper() and rec.target == "/f"
    assert rec.header("Content-Type") == "application/x-www-form-urlencoded"
    assert rec.body == b"a=x%20y&b=1%2C2&a=null"
    assert rec.header("Content-Length") == str(len(rec.body))


@pytest.mark.parametrize("method", ["post", "put"])
def test_post_and_put_url_encoded_content_is_its_literal_text(make_host, server, method):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/f'))}\" method=\"'{method}'\" type=\"'text/plain'\"",
        "<content>k=v w&amp;z=1</content>",
    )
    assert server.received()[-1].body == b"k=v%20w&z=1"


@pytest.mark.parametrize("method", ["post", "put"])
def test_json_params_make_one_object_and_the_last_duplicate_wins(make_host, server, method):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/j'))}\" method=\"'{method}'\" type=\"'text/plain'\" enctype=\"'application/json'\"",
        '<param name="p1" expr="1"/><param name="p2" expr="[true, null, \'s\']"/><param name="p1" expr="2"/>',
    )
    rec = server.received()[-1]
    assert rec.header("Content-Type") == "application/json"
    assert json.loads(rec.body) == {"p1": 2, "p2": [True, None, "s"]}


@pytest.mark.parametrize(
    "expr,body",
    [("obj", b'{"a":1}'), ("'text'", b'"text"'), ("[1, {b: false}]", b'[1,{"b":false}]'), ("undefined", b"")],
)
def test_json_content_expr_is_stringified(make_host, server, expr, body):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/j'))}\" method=\"'post'\" type=\"'text/plain'\" enctype=\"'application/json'\"",
        f'<content _expr="{expr}"/>',
    )
    assert server.received()[-1].body == body


def test_the_worked_example_is_received_byte_for_byte(make_host, server):
    """§3.11, with the test server's address in place of `h`."""
    url = server.url("/a?x=1")
    run_fetch(
        make_host,
        f"srcexpr=\"{q(url)}\" method=\"'get'\" type=\"'text/plain'\" maxage=\"20\" maxstale=\"10\" "
        "username=\"'u'\" password=\"'p'\" headers=\"{'X-A':1}\"",
        "<param name=\"p1\" expr=\"[1,'a b']\"/>",
    )
    expected = (
        "GET /a?x=1&p1=1%2Ca%20b HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Accept: text/plain\r\n"
        "Cache-Control: max-age=20, max-stale=10\r\n"
        "Authorization: Basic dTpw\r\n"
        "X-A: 1\r\n"
        "\r\n"
    )
    assert server.received()[-1].head.decode("latin-1") == expected


# -- headers (§3.5) --------------------------------------------------------------------------------


def test_type_is_the_accept_header_and_defaults_to_json(make_host, server):
    server.handler = lambda req: Reply(headers=[("Content-Type", "application/json")], body="{}")
    run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\"")
    assert server.received()[-1].header("Accept") == "application/json"


def test_cache_control_holds_only_the_directives_given(make_host, server):
    run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" maxstale=\"'7'\"")
    assert server.received()[-1].header("Cache-Control") == "max-stale=7"
    run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" maxage=\"0\"")
    assert server.received()[-1].header("Cache-Control") == "max-age=0"


def test_basic_authentication_with_one_of_the_two_counts_the_other_as_empty(make_host, server):
    run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" username=\"'bob'\"")
    assert server.received()[-1].header("Authorization") == "Basic Ym9iOg=="  # bob:


def test_custom_headers_come_after_the_automatic_ones_which_they_never_replace(make_host, server, runtime_log):
    run_fetch(
        make_host,
        f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" maxage=\"1\" "
        "headers=\"{'X-One': 1.5, 'accept': 'text/html', 'Cache-Control': 'no-cache', 'X-Two': [1,2], 'Bad Name': 1, "
        "'X-Inject': 'a\\r\\nX-Evil: 1'}\"",
    )
    rec = server.received()[-1]
    names = [k for k, _ in rec.headers]
    assert names == ["Host", "Accept", "Cache-Control", "X-One", "X-Two"]
    assert rec.header("Accept") == "text/plain" and rec.header("Cache-Control") == "max-age=1"
    assert rec.header("X-One") == "1.5" and rec.header("X-Two") == "1,2"
    dropped = " ".join(r.getMessage() for r in runtime_log.records)
    assert "'accept' is dropped" in dropped and "'Bad Name' is dropped" in dropped and "'X-Inject' is dropped" in dropped


# -- responses and events (§3.6, §3.7) ---------------------------------------------------------------


def test_a_result_is_an_external_event_with_the_request_id_content_and_hints(make_host, server):
    server.handler = lambda req: Reply(
        headers=[("Content-Type", "application/json; charset=utf-8"), ("X-Multi", "a"), ("x-multi", "b")],
        body='{"cvalue": 42}',
    )
    sm, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\"")
    assert ev["name"] == "session.fetch.done" and ev["type"] == "external"
    assert ev["data"]["requestid"] == "R1" == sm.datamodel["early"] == sm.datamodel["reqid"]
    assert ev["data"]["content"] == '{"cvalue": 42}'  # unparsed
    assert ev["data"]["hints"]["X-Multi"] == "a, b"
    assert ev["data"]["hints"]["Content-Type"] == "application/json; charset=utf-8"
    assert {ev[k] for k in ("sendid", "origin", "origintype", "invokeid")} == {""}


@pytest.mark.parametrize("status", [403, 404, 500, 503])
def test_a_status_outside_2xx_is_error_http_status(make_host, server, status):
    server.handler = lambda req: Reply(status=status, body="no")
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\"")
    assert ev["name"] == "error.session.fetch"
    assert ev["data"]["error"] == f"http.{status}" and ev["data"]["status"] == status
    assert ev["data"]["requestid"] == "R1" and "HTTP" in ev["data"]["description"]


def test_the_response_type_must_match_type_except_text_plain_and_untyped(make_host, server):
    server.handler = lambda req: Reply(headers=[("Content-Type", "text/html")], body="<p>")
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'application/json'\"")
    assert ev["data"]["error"] == "http.contenttype" and ev["data"]["status"] == 200
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\"")
    assert ev["name"] == "session.fetch.done"
    server.handler = lambda req: Reply(headers=[("Content-Type", "Application/XML; charset=latin-1")], body="<a/>")
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'application/xml'\"")
    assert ev["name"] == "session.fetch.done"
    server.handler = lambda req: Reply(headers=[], body="anything")
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\"")
    assert ev["name"] == "session.fetch.done" and ev["data"]["content"] == "anything"


def test_the_body_is_decoded_with_the_charset_of_the_response(make_host, server):
    server.handler = lambda req: Reply(headers=[("Content-Type", "text/plain; charset=iso-8859-1")], body="é".encode("latin-1"))
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\"")
    assert ev["data"]["content"] == "é"


def test_redirects_are_followed_up_to_five(make_host, server):
    def handler(req):
        n = int(req.target.rsplit("/", 1)[1])
        if n > 0:
            return Reply(status=302, headers=[("Location", f"/r/{n - 1}")], body="")
        return Reply(body="landed")

    server.handler = handler
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/r/5'))}\" type=\"'text/plain'\"")
    assert ev["name"] == "session.fetch.done" and ev["data"]["content"] == "landed"
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/r/6'))}\" type=\"'text/plain'\"")
    assert ev["name"] == "error.session.fetch" and ev["data"]["error"].startswith("http.")


def test_connection_refused_is_http_connect(make_host, server):
    server.stop_listening()
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\"")
    assert ev["data"]["error"] == "http.connect" and ev["data"]["status"] == 0


def test_timeout_bounds_the_request_in_real_time_even_on_a_simulated_clock(make_host, server):
    server.handler = lambda req: Reply(delay=3.0)
    started = time.monotonic()
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" timeout=\"1\"")
    took = time.monotonic() - started
    assert ev["data"]["error"] == "http.timeout"
    assert 0.9 <= took < 2.9


def test_timeout_on_a_real_clock(make_host, server):
    server.handler = lambda req: Reply(delay=3.0)
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" type=\"'text/plain'\" timeout=\"'1'\"", clock=RealClock())
    assert ev["data"]["error"] == "http.timeout"


def test_a_url_without_scheme_is_resolved_against_the_document(make_host, tmp_path):
    (tmp_path / "data.json").write_text('{"k": 1}')
    chart = load(fetch_chart("srcexpr=\"'data.json'\""), base_dir=tmp_path)
    host = make_host()
    sm = host.start(chart.Chart)
    host.run_until_idle(5)
    assert to_py(sm.datamodel["ev"])["data"]["content"] == '{"k": 1}'


# -- errors of the request pattern (§1.2–§1.4) -------------------------------------------------------


def test_an_attribute_that_throws_raises_error_script_and_nothing_is_sent(make_host, server):
    sm, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" timeout=\"nosuch + 1\"")
    assert ev["name"] == "error.script.ReferenceError" and ev["type"] == "platform"
    assert ev["data"]["element"] == "session:fetch" and ev["data"]["linenumber"] == 3
    assert "nosuch" in ev["data"]["description"]
    assert sm.datamodel["reqid"] == "" and server.received() == []


def test_a_value_of_the_wrong_type_raises_error_illegalvalue(make_host, server):
    sm, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" timeout=\"'soon'\"")
    assert ev["name"] == "error.illegalvalue.timeout"
    assert ev["data"]["attribute"] == "timeout" and ev["data"]["value"] == "soon"
    assert sm.datamodel["reqid"] == "" and server.received() == []
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" gdelivery=\"'maybe'\"")
    assert ev["name"] == "error.illegalvalue.gdelivery"
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(server.url('/'))}\" timeout=\"-1\"")
    assert ev["name"] == "error.illegalvalue.timeout"


def test_a_location_that_cannot_be_assigned_raises_error_illegalloc(make_host, server):
    chart = load(
        ors(
            f"""<state id="s"><onentry>
              <session:fetch requestid="nosuch.field" srcexpr="{q(server.url('/'))}" type="'text/plain'"/>
            </onentry><transition event="*" target="f"><assign location="ev" expr="_event"/></transition></state>
            <final id="f"/>""",
            data='<data id="ev"/>',
        )
    )
    host = make_host()
    sm = host.start(chart.Chart)
    host.run_until_idle(5)
    ev = to_py(sm.datamodel["ev"])
    assert ev["name"] == "error.illegalloc.ReferenceError"
    assert server.received() == []


@pytest.mark.parametrize("attr,value", [("method", "'patch'"), ("type", "'text/html'"), ("enctype", "'multipart/form-data'")])
def test_values_outside_their_set_found_at_run_time_are_invalidattribute(make_host, server, attr, value):
    """(A literal outside the set is a compile error; a variable's value is checked when run.)"""
    chart = load(fetch_chart(f"srcexpr=\"{q(server.url('/'))}\" {attr}=\"v\"").replace("</datamodel>", f'<data id="v" expr="{value}"/></datamodel>'))
    host = make_host()
    sm = host.start(chart.Chart)
    host.run_until_idle(5)
    ev = to_py(sm.datamodel["ev"])
    assert ev["name"] == "error.session.fetch" and ev["data"]["error"] == "invalidattribute"
    assert ev["data"]["requestid"] == "R1" == sm.datamodel["reqid"]
    assert server.received() == []


def test_an_unsupported_scheme_is_invalidattribute(make_host):
    _, ev = run_fetch(make_host, "srcexpr=\"'ftp://example.org/x'\"")
    assert ev["data"]["error"] == "invalidattribute"


# -- file: URLs --------------------------------------------------------------------------------------


def test_file_urls_read_below_the_document_folder(make_host, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "v.json").write_text('{"v": 2}')
    chart = load(fetch_chart("srcexpr=\"'file:sub/v.json'\""), base_dir=tmp_path)
    host = make_host()
    sm = host.start(chart.Chart)
    host.run_until_idle(5)
    ev = to_py(sm.datamodel["ev"])
    assert ev["name"] == "session.fetch.done" and ev["data"]["content"] == '{"v": 2}' and ev["data"]["hints"] == {}


@pytest.mark.parametrize("src", ["file:../secret.txt", "file:///etc/passwd", "file:link/secret.txt", "file:sub/../../secret.txt"])
def test_file_urls_outside_the_roots_are_not_found_and_never_read(make_host, tmp_path, src):
    doc_dir = tmp_path / "doc"
    (doc_dir / "sub").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    os.symlink(tmp_path, doc_dir / "link")
    chart = load(fetch_chart(f"srcexpr=\"{q(src)}\" type=\"'text/plain'\""), base_dir=doc_dir)
    host = make_host()
    sm = host.start(chart.Chart)
    before = os.stat(secret).st_atime_ns
    host.run_until_idle(5)
    ev = to_py(sm.datamodel["ev"])
    assert ev["name"] == "error.session.fetch" and ev["data"]["error"] == "file.notfound"
    assert "TOPSECRET" not in json.dumps(ev)
    assert os.stat(secret).st_atime_ns == before


def test_configured_document_roots_are_readable_too(make_host, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "t.txt").write_text("shared text")
    chart = load(fetch_chart(f"srcexpr=\"{q((shared / 't.txt').as_uri())}\" type=\"'text/plain'\""), base_dir=tmp_path / "elsewhere")
    host = make_host(document_roots=[shared])
    sm = host.start(chart.Chart)
    host.run_until_idle(5)
    assert to_py(sm.datamodel["ev"])["data"]["content"] == "shared text"


def test_file_urls_take_get_only_and_their_type_comes_from_the_extension(make_host, tmp_path):
    (tmp_path / "a.xml").write_text("<a/>")
    for attrs, outcome in [
        ("srcexpr=\"'file:a.xml'\" method=\"'post'\"", "invalidattribute"),
        ("srcexpr=\"'file:a.xml'\"", "file.contenttype"),
        ("srcexpr=\"'file:a.xml'\" type=\"'application/xml'\"", None),
        ("srcexpr=\"'file:missing.json'\"", "file.notfound"),
    ]:
        chart = load(fetch_chart(attrs), base_dir=tmp_path)
        host = make_host()
        sm = host.start(chart.Chart)
        host.run_until_idle(5)
        ev = to_py(sm.datamodel["ev"])
        if outcome is None:
            assert ev["name"] == "session.fetch.done" and ev["data"]["content"] == "<a/>"
        else:
            assert ev["data"]["error"] == outcome, attrs


# -- TLS -----------------------------------------------------------------------------------------


@pytest.fixture
def tls_server():
    import ssl

    import trustme

    from .httpserver import RecordingServer

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    srv = RecordingServer(ssl=server_ctx).listen()
    yield srv, client_ctx
    srv.close()


def test_https_certificates_are_verified_by_default(make_host, tls_server):
    from scxmlc_runtime.httpclient import HTTPClient

    srv, trusted = tls_server
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(srv.url('/s'))}\" type=\"'text/plain'\"")
    assert ev["data"]["error"] == "http.connect" and "certificate" in ev["data"]["description"].lower()
    assert srv.received() == []
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(srv.url('/s'))}\" type=\"'text/plain'\"", services=[HTTPClient(ssl_context=trusted)])
    assert ev["name"] == "session.fetch.done" and srv.received()[-1].target == "/s"
    _, ev = run_fetch(make_host, f"srcexpr=\"{q(srv.url('/s'))}\" type=\"'text/plain'\"", services=[HTTPClient(verify_tls=False)])
    assert ev["name"] == "session.fetch.done"


class _RawServer:
    """A loopback TCP server that answers each connection with fixed bytes, HTTP or not, and
    closes it (what no HTTP server library would send)."""

    def __init__(self, reply: bytes, *more: bytes, pause: float = 0.05):
        import socket
        import threading

        self.reply = (reply, *more)  # (sent one after another, `pause` seconds apart)
        self.pause = pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                try:
                    for i, part in enumerate(self.reply):
                        if i:
                            time.sleep(self.pause)
                        conn.sendall(part)
                except OSError:
                    pass  # (the client gave up first)

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize(
    "reply, said",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly this", "the response body was cut short"),
        (b"SMTP ready\r\n\r\n", "the server's response is not valid HTTP"),
    ],
    ids=["truncated body", "not HTTP"],
)
def test_a_broken_response_is_http_io_told_in_http_terms(make_host, reply, said):
    srv = _RawServer(reply)
    try:
        _, ev = run_fetch(make_host, f"srcexpr=\"'http://127.0.0.1:{srv.port}/x'\" type=\"'text/plain'\"")
    finally:
        srv.close()
    assert ev["name"] == "error.session.fetch" and ev["data"]["error"] == "http.io", ev
    description = ev["data"]["description"]
    assert f"GET http://127.0.0.1:{srv.port}/x: {said}" in description, description
    assert "Error" not in description and "aiohttp" not in description, description


def test_a_body_that_arrives_in_parts_is_read_whole(make_host):
    """The client read what had arrived when the headers were read: a body in several TCP
    segments came back cut to the first, as a successful fetch."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 200000\r\n\r\n"
    srv = _RawServer(head, *(bytes([c]) * 50000 for c in b"abcd"))
    try:
        _, ev = run_fetch(make_host, f"srcexpr=\"'http://127.0.0.1:{srv.port}/x'\" type=\"'text/plain'\"")
    finally:
        srv.close()
    assert ev["name"] == "session.fetch.done", ev
    assert ev["data"]["content"] == "a" * 50000 + "b" * 50000 + "c" * 50000 + "d" * 50000
