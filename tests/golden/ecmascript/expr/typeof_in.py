# helpers: js_in, js_lookup, js_typeof
(
    js_in("name", _dm["_event"])
    if (_t1 := (js_typeof(js_lookup(_dm, "undeclared")) == "undefined"))
    else _t1
)
