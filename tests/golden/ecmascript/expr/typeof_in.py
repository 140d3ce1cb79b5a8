# helpers: js_global, js_in, js_lookup, js_typeof
(
    type((_t1 := js_global(_dm, "_event"))) is dict
    and "name" in _t1
    or js_in("name", _t1)
    if (_t2 := (js_typeof(js_lookup(_dm, "undeclared")) == "undefined"))
    else _t2
)
