"""Remote includes (ors-dialect.md §3.4): http(s) pages fetched from a real server on loopback only when the user allowed it, relative to their URL, never reading a local file; and a document compiled from text reads no included file."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import scxmlc
from scxmlc import CompileError
from scxmlc_runtime import Host, SimulatedClock

from .httpserver import RecordingServer, Reply

XI = 'xmlns:xi="http://www.w3.org/2001/XInclude"'
SCXML = "http://www.w3.org/2005/07/scxml"


def page(body: str) -> str:
    return f'<scxml xmlns="{SCXML}" {XI} version="1.0">{body}</scxml>'


def ipd(include: str) -> str:
    return (
        f'<scxml xmlns="{SCXML}" {XI} xmlns:session="http://www.genesyslab.com/modules/session" version="1.0" '
        f'profile="ecmascript" initial="R.entry">\n{include}\n</scxml>'
    )


@pytest.fixture
def site():
    pages: dict[str, Reply] = {}
    server = RecordingServer(lambda req: pages.get(req.target, Reply(status=404, body=b"no such page"))).listen()
    server.pages = pages
    yield server
    server.close()


def compiled(text: str, tmp_path, **options):
    doc = tmp_path / "ipd.scxml"
    doc.write_text(text)
    return scxmlc.compile_source(text, str(doc), base_dir=tmp_path, **options)


def errors(text: str, tmp_path, **options) -> list[str]:
    with pytest.raises(CompileError) as caught:
        compiled(text, tmp_path, **options)
    return [str(d) for d in caught.value.diagnostics if d.severity == "error"]


def run(source: str):
    module = types.ModuleType("remote_include_chart")
    exec(compile(source, "remote_include_chart.py", "exec"), module.__dict__)
    logs = []
    host = Host(SimulatedClock(), log=lambda s, label, t: logs.append(t))
    sm = host.start(module.Chart)
    host.run_until_idle(10)
    return sm, logs


def test_a_remote_page_and_what_it_includes_relative_to_its_url_are_merged_when_allowed(site, tmp_path):
    site.pages["/app/workflow.scxml"] = Reply(
        headers=[("Content-Type", "application/xml")],
        body=page(
            '<state id="entry"><onentry><log expr="\'entered \' + _my_prefix"/></onentry>'
            '<transition target="$$_MY_PREFIX_$$.next"/></state>'
            '<xi:include href="lib/next.scxml" xpointer="next" parse="xml" resolveid="R"/>'
        ),
    )
    site.pages["/app/lib/next.scxml"] = Reply(
        body=page('<state id="next"><onentry><script><xi:include href="../text/word.js" parse="text"/></script>'
                  '<log expr="word"/></onentry></state>')
    )
    site.pages["/app/text/word.js"] = Reply(body="var word = 'from the network';")
    text = ipd(f'<xi:include href="{site.url("/app/workflow.scxml")}" resolveid="R"/>')  # (the page's states, all)
    result = compiled(text, tmp_path, allow_fetch=True)
    sm, logs = run(result.source)
    assert logs == ["entered R", "from the network"] and "R.next" in sm.configuration
    assert sorted({r.target for r in site.received()}) == ["/app/lib/next.scxml", "/app/text/word.js", "/app/workflow.scxml"]


def test_a_remote_include_is_refused_without_the_switch_and_nothing_is_fetched(site, tmp_path):
    site.pages["/w.scxml"] = Reply(body=page('<state id="entry"/>'))
    found = errors(ipd(f'<xi:include href="{site.url("/w.scxml")}" xpointer="entry" resolveid="R"/>'), tmp_path)
    assert any(":2:1: error: remote include" in d and "--allow-remote-includes" in d and d.endswith("[ORS-E12]") for d in found), found
    assert site.received() == []


@pytest.mark.parametrize(
    "href,message",
    [
        ("file:///etc/hostname", "a page from the network reads no local file [ORS-E12]"),
        ("ftp://127.0.0.1/x.scxml", "includes are files or http(s) pages [ORS-E12]"),
        ("missing.scxml", "HTTP 404"),
    ],
)
def test_what_a_remote_page_includes_stays_on_the_network(site, tmp_path, href, message):
    site.pages["/w.scxml"] = Reply(body=page(f'<state id="entry"><xi:include href="{href}" parse="xml"/></state>'))
    found = errors(ipd(f'<xi:include href="{site.url("/w.scxml")}" xpointer="entry" resolveid="R"/>'), tmp_path, allow_fetch=True)
    # located in the remote page, which diagnostics name by its URL
    assert any(d.startswith(site.url("/w.scxml") + ":1:") and message in d for d in found), found


def test_a_failed_fetch_uses_the_fallback_or_is_a_located_error(site, tmp_path, monkeypatch):
    import scxmlc.network

    site.pages["/redirect.scxml"] = Reply(status=302, headers=[("Location", "file:///etc/passwd")], body=b"")
    site.pages["/redirect-ftp.scxml"] = Reply(status=302, headers=[("Location", "ftp://127.0.0.1/x.scxml")], body=b"")
    site.pages["/big.scxml"] = Reply(body=page('<state id="entry"/>' + " " * 5000))
    site.pages["/slow.scxml"] = Reply(body=page('<state id="entry"/>'), delay=3)
    monkeypatch.setattr(scxmlc.network, "MAX_DOCUMENT_BYTES", 4000)
    monkeypatch.setattr(scxmlc.network, "TIMEOUT", 0.5)
    for path, reason in [("/redirect.scxml", "Redirection to url 'file:///etc/passwd' is not allowed"),
                         ("/redirect-ftp.scxml", "redirected to ftp://127.0.0.1/x.scxml, which is not http(s)"), ("/big.scxml", "larger than 4000 bytes"),
                         ("/slow.scxml", "timed out"), ("/gone.scxml", "HTTP 404")]:  # fmt: skip
        found = errors(ipd(f'<xi:include href="{site.url(path)}" xpointer="entry" resolveid="R"/>'), tmp_path, allow_fetch=True)
        assert any(":2:1: error: cannot read the included page " in d and reason in d and d.endswith("[ORS-E10]") for d in found), (path, found)
    fallback = f'<xi:include href="{site.url("/gone.scxml")}" xpointer="entry" resolveid="R"><xi:fallback><state id="R.entry"><onentry><log expr="\'fallback\'"/></onentry></state></xi:fallback></xi:include>'
    sm, logs = run(compiled(ipd(fallback), tmp_path, allow_fetch=True).source)
    assert logs == ["fallback"]


def test_a_document_compiled_from_text_reads_no_included_file(tmp_path, monkeypatch):
    (tmp_path / "secret.xml").write_text(page('<state id="entry"><onentry><log expr="\'secret\'"/></onentry></state>'))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")  # (includes once resolved against the working folder)
    for href in ("../secret.xml", str(tmp_path / "secret.xml")):
        text = ipd(f'<xi:include href="{href}" xpointer="entry" resolveid="R"/>')
        with pytest.raises(CompileError) as caught:
            scxmlc.load_string(text)
        assert "this document has no folder (it was compiled from text), so it reads no file [ORS-E10]" in str(caught.value)


def test_the_cli_switch(site, tmp_path):
    site.pages["/w.scxml"] = Reply(body=page('<state id="entry"><onentry><log expr="\'remote\'"/></onentry></state>'))
    (tmp_path / "ipd.scxml").write_text(ipd(f'<xi:include href="{site.url("/w.scxml")}" xpointer="entry" resolveid="R"/>'))
    refused = subprocess.run([sys.executable, "-m", "scxmlc", "check", "ipd.scxml"], cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 1 and "ipd.scxml:2:1: error: remote include" in refused.stderr + refused.stdout
    ran = subprocess.run([sys.executable, "-m", "scxmlc", "run", "--allow-remote-includes", "--simulated-clock", "ipd.scxml"],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    # (the chart runs: it logged, and waits in R.entry, exit code 3 "not finished")
    assert ran.returncode == 3 and "configuration (running): R.entry" in ran.stdout and "remote" in ran.stderr + ran.stdout, (ran.stdout, ran.stderr)
    assert "error" not in ran.stderr + ran.stdout, (ran.stdout, ran.stderr)


def test_a_document_fetched_over_http_at_run_time_reads_no_included_file(site, tmp_path, monkeypatch):
    # what `scxmlc serve` and `<session:start src="http...">` compile: text with no folder of ours
    from scxmlc_runtime.documents import DocumentError, compile_document

    (tmp_path / "secret.xml").write_text(page('<state id="entry"/>'))
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    text = ipd('<xi:include href="../secret.xml" xpointer="entry" resolveid="R"/>')
    with pytest.raises(DocumentError) as caught:
        compile_document(text, "fetched.scxml", "")
    assert caught.value.code == "badsyntax" and "reads no file [ORS-E10]" in caught.value.description


def test_the_src_of_an_element_from_a_remote_page_is_relative_to_its_url(site, tmp_path):
    site.pages["/app/w.scxml"] = Reply(
        body=page('<state id="entry"><datamodel><data id="d" src="data.json"/></datamodel>'
                  '<onentry><script src="lib.js"/><log expr="word + \' \' + d.n"/></onentry></state>')
    )
    site.pages["/app/lib.js"] = Reply(body="var word = 'remote script';")
    site.pages["/app/data.json"] = Reply(headers=[("Content-Type", "application/json")], body='{"n": 7}')
    (tmp_path / "lib.js").write_text("var word = 'a local file';")
    (tmp_path / "data.json").write_text('{"n": 0}')
    text = ipd(f'<xi:include href="{site.url("/app/w.scxml")}" xpointer="entry" resolveid="R"/>')
    sm, logs = run(compiled(text, tmp_path, allow_fetch=True).source)
    assert logs == ["remote script 7"], logs
    site.pages["/app/w.scxml"] = Reply(body=page('<state id="entry"><onentry><script src="file:///etc/hostname"/></onentry></state>'))
    found = errors(text, tmp_path, allow_fetch=True)
    assert any(d.startswith(site.url("/app/w.scxml") + ":1:") and "a page from the network reads no local file [ORS-E12]" in d for d in found), found
