# helpers: js_ge, js_global
(
    _t1 >= _t2
    if type((_t1 := js_global(_dm, "count")))
    is type((_t2 := js_global(_dm, "limit")))
    is float
    else js_ge(_t1, _t2)
)
