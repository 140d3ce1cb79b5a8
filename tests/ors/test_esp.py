"""ESP fetches (ors-extensions.md §3.9) through an in-memory ESP transport: addresses, the request's key-value lists, the seed's reply converted to JSON, errors and time limits."""

from __future__ import annotations

import json

import pytest

from scxmlc_runtime.js import to_py
from scxmlc_runtime.ors import EspReply, MemoryEspTransport, SessionModule
from scxmlc_runtime.ors.esp import js_to_kv, kv_to_json, parse_address

from .conftest import load, ors

# The seed's ESP reply (seed 003, "ESP-to-JSON conversion logic")
ENVELOPE = [
    ("Service", "Contact"),
    ("Method", "Identify"),
    (
        "Parameters",
        [
            ("ContactCreated", "false"),
            ("ContactIdList", "0005Ua6CJC69002J"),
            ("ContactIdList", "0005Ua6CJC69002N"),
            ("ContactIdList", "0005Ub6CJC6H0001"),
            ("ContactIdList", "0005Ub6CJC6H0004"),
            ("ContactIdList", "0005Ub6CJC6H0007"),
            ("NumberOfContactsFound", 5),
        ],
    ),
]
SEED_JSON = {
    "envelope": {
        "Service": "Contact",
        "Method": "Identify",
        "Parameters": {
            "ContactCreated": "false",
            "ContactIdList": ["0005Ua6CJC69002J", "0005Ua6CJC69002N", "0005Ub6CJC6H0001", "0005Ub6CJC6H0004", "0005Ub6CJC6H0007"],
            "NumberOfContactsFound": 5,
        },
    }
}

ESP_CHART = ors(
    r"""<state id="updateContact">
      <onentry>
        <script>
          var updateContactRequestContent = {
            params: { UseDataFromParameters: false },
            udata: { TenantId: 101, ContactId: "GK4MW583K80DTE04", FirstName: "James", LastName: "Johnson", Tags: ["a", "b"], Score: 1.5 }
          };
        </script>
        <session:fetch method="'esp'" requestid="_data.reqid" srcexpr="SRC" TIMEOUT>
          <content _expr="updateContactRequestContent" />
        </session:fetch>
      </onentry>
      <transition event="session.fetch.done" target="ok">
        <script>var eventDataObject = JSON.parse(_event.data.content);</script>
        <assign location="parsed" expr="eventDataObject"/><assign location="ev" expr="_event"/>
      </transition>
      <transition event="error.session.fetch" target="failed"><assign location="ev" expr="_event"/></transition>
    </state><final id="ok"/><final id="failed"/>""",
    data='<data id="reqid"/><data id="parsed"/><data id="ev"/>',
)


def run(make_host, handler, src="'ContactServer_801_04\\\\CFGContactServer\\\\Contact\\\\Update'", timeout=""):
    esp = MemoryEspTransport(handler)
    chart = load(ESP_CHART.replace("SRC", src).replace("TIMEOUT", timeout))
    host = make_host(services=[SessionModule(esp=esp)])
    sm = host.start(chart.Chart)
    host.run_until_idle(max_seconds=5)
    return sm, esp, to_py(sm.datamodel["ev"])


def test_the_seed_example_end_to_end(make_host):
    sm, esp, ev = run(make_host, lambda req: EspReply(envelope=ENVELOPE, refid=294014))
    (req,) = esp.requests
    assert (req.address.app, req.address.type, req.address.service, req.address.method) == (
        "ContactServer_801_04", "CFGContactServer", "Contact", "Update",
    )  # fmt: skip
    assert req.requestid == "R1" and req.params == [("UseDataFromParameters", "false")]
    assert req.udata == [
        ("TenantId", 101), ("ContactId", "GK4MW583K80DTE04"), ("FirstName", "James"), ("LastName", "Johnson"),
        ("Tags", "a"), ("Tags", "b"), ("Score", "1.5"),
    ]  # fmt: skip
    assert ev["name"] == "session.fetch.done"
    assert json.loads(ev["data"]["content"]) == SEED_JSON
    assert to_py(sm.datamodel["parsed"]) == SEED_JSON
    assert ev["data"]["hints"] == {"protocol": "esp", "refid": 294014}


def test_user_data_of_the_reply_is_added_at_the_top_level(make_host):
    user = [("FirstName", "James"), ("ContactId", "0005Ub6CJC6H0001"), ("LastName", "Johnson")]
    _, _, ev = run(make_host, lambda req: EspReply(envelope=ENVELOPE[:2], user_data=user))
    assert json.loads(ev["data"]["content"]) == {
        "envelope": {"Service": "Contact", "Method": "Identify"},
        "user_data": {"FirstName": "James", "ContactId": "0005Ub6CJC6H0001", "LastName": "Johnson"},
    }


@pytest.mark.parametrize(
    "src",
    ["'App\\\\Service\\\\Method'", "'gesp:App/Type/Service/Method'", "'gesp:App/Service/Method'"],
)
def test_both_address_forms(make_host, src):
    _, esp, ev = run(make_host, lambda req: EspReply(envelope=[("Service", req.address.service)]), src=src)
    assert ev["name"] == "session.fetch.done"
    assert (esp.requests[0].address.app, esp.requests[0].address.service, esp.requests[0].address.method) == ("App", "Service", "Method")


def test_an_esp_error_reply_is_esp_code(make_host):
    _, _, ev = run(make_host, lambda req: EspReply(error="1002", description="Contact not found"))
    assert ev["data"]["error"] == "esp.1002" and ev["data"]["description"] == "Contact not found"


def test_an_esp_server_that_does_not_answer_times_out(make_host):
    _, _, ev = run(make_host, lambda req: None, timeout='timeout="1"')
    assert ev["data"]["error"] == "esp.timeout"


def test_the_default_esp_transport_is_unconfigured(make_host):
    chart = load(ESP_CHART.replace("SRC", "'A\\\\S\\\\M'").replace("TIMEOUT", ""))
    host = make_host()
    sm = host.start(chart.Chart)
    host.run_until_idle(max_seconds=5)
    assert to_py(sm.datamodel["ev"])["data"]["error"] == "esp.unavailable"


def test_a_bad_address_is_invalidattribute(make_host):
    _, esp, ev = run(make_host, lambda req: EspReply(), src="'just-a-name'")
    assert ev["data"]["error"] == "invalidattribute" and esp.requests == []


def test_params_go_into_the_params_list():
    assert js_to_kv({"a": 1.0, "b": True, "c": {"d": "x"}, "e": None, "f": 2.25}) == [
        ("a", 1), ("b", "true"), ("c", [("d", "x")]), ("f", "2.25"),
    ]  # fmt: skip


def test_key_value_lists_to_json():
    assert kv_to_json([("k", 1), ("k", [("n", "v")]), ("one", "x")]) == {"k": [1, {"n": "v"}], "one": "x"}


@pytest.mark.parametrize("text", ["A\\S", "A\\B\\C\\D\\E", "gesp:A", "A\\\\M", ""])
def test_not_addresses(text):
    assert parse_address(text) is None
