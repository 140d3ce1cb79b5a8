# helpers: js_global, js_inc, js_setg
js_setg(
    _dm,
    "var1",
    _t1 + 1.0 if type((_t1 := js_global(_dm, "var1"))) is float else js_inc(_t1),
) == 2.0
