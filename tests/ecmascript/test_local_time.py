"""Local time around daylight-saving transitions and in the zones' early local mean time, in three time zones: what V8 (node 20) answers for the same script, run with TZ set. A local time the spring skips or the autumn repeats is taken with the offset before the transition (ES2017 20.3.1.7): it used to be taken after it, so adding minutes across the gap moved the clock back."""

from __future__ import annotations

import json
import os
import time

import pytest

from scxmlc_runtime.js import to_py

from .jsrun import run_script

SCRIPT = """
var r = [];
var d = new Date(2020, 2, 8, 1, 57); d.setMinutes(d.getMinutes() + 13); r.push([d.getHours(), d.getMinutes(), d.getTimezoneOffset()]);
r.push(new Date(2020, 2, 8, 2, 30).getTime(), new Date(2020, 9, 25, 2, 30).getTimezoneOffset(), new Date(2020, 9, 25, 2, 30).getTime());
r.push(new Date(2020, 10, 1, 1, 30).getTime(), new Date(2020, 3, 5, 1, 45).getTime(), new Date(2020, 9, 4, 2, 15).getTime(), new Date(2020, 2, 29, 2, 30).getTime());
r.push(new Date(1850, 5, 1).getTimezoneOffset(), new Date(0).setYear(99), new Date(0).setYear(2000), new Date(NaN).setYear(5), new Date(-62198755200000).toUTCString(), new Date(-62198755200000).toDateString());
var x = new Date(2021, 0, 1); var n = 0; for (var i = 0; i < 400; i++) { x.setDate(x.getDate() + 1); n += x.getHours(); } r.push(n, x.getTime());
var result = r;
"""

# V8's answers (node 20, TZ set as named)
V8 = {
    "America/New_York": '[[3,10,240],1583652600000,240,1603607400000,1604208600000,1586065500000,1601792100000,1585463400000,296,946684800000,978307200000,-2051204400000,"Fri, 01 Jan -0001 00:00:00 GMT","Thu Dec 31 -0002",0,1644037200000]',
    "Europe/Berlin": '[[2,10,-60],1583631000000,-120,1603585800000,1604190600000,1586043900000,1601770500000,1585445400000,-53,915148800000,946684800000,-2051226000000,"Fri, 01 Jan -0001 00:00:00 GMT","Fri Jan 01 -0001",0,1644015600000]',
    "Asia/Kolkata": '[[2,10,-330],1583614800000,-330,1603573200000,1604174400000,1586031300000,1601757900000,1585429200000,-353,915148800000,946684800000,-2051241670000,"Fri, 01 Jan -0001 00:00:00 GMT","Fri Jan 01 -0001",0,1643999400000]',
}


PARSE = "var result = ['2020-01-01 10:20:30', '2020-03-08 02:30', '12/25/1995 1:30 PM', 'January 2, 2020 10:20:30', '2020-1-1', '1/1/99', '2020-10-25T02:30:00'].map(Date.parse);"
V8_PARSE = {
    "America/New_York": [1577892030000, 1583652600000, 819916200000, 1577978430000, 1577854800000, 915166800000, 1603607400000],
    "Europe/Berlin": [1577870430000, 1583631000000, 819894600000, 1577956830000, 1577833200000, 915145200000, 1603585800000],
    "Asia/Kolkata": [1577854230000, 1583614800000, 819878400000, 1577940630000, 1577817000000, 915129000000, 1603573200000],
}


@pytest.fixture
def zone(request):
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("zone", sorted(V8), indirect=True)
def test_local_time_as_v8_gives_it(zone):
    if time.localtime(1583652600).tm_gmtoff == 0:  # (none of these zones is at UTC then)
        message = f"no time zone data for {zone} on this machine (apt-get install tzdata)"
        if os.environ.get("SCXMLC_REQUIRE_TZDATA") == "1":
            pytest.fail(f"SCXMLC_REQUIRE_TZDATA=1 but there is {message}", pytrace=False)
        pytest.skip(message)
    assert to_py(run_script(SCRIPT)["result"]) == json.loads(V8[zone])
    assert to_py(run_script(PARSE)["result"]) == V8_PARSE[zone]  # (local times that Date.parse reads)
