# helpers: js_global, js_in
(
    type((_t1 := js_global(_dm, "_event"))) is dict
    and "name" in _t1
    or js_in("name", _t1)
) and (
    type((_t2 := js_global(_dm, "_event"))) is dict
    and "type" in _t2
    or js_in("type", _t2)
) and (
    type((_t3 := js_global(_dm, "_event"))) is dict
    and "sendid" in _t3
    or js_in("sendid", _t3)
)
