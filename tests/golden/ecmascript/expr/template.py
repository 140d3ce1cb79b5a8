# helpers: js_add, js_global, js_tostr
(
    "id="
    + js_tostr(js_global(_dm, "id"))
    + ", n="
    + js_tostr(
        _t1 + 1.0 if type((_t1 := js_global(_dm, "n"))) is float else js_add(_t1, 1.0)
    )
)
