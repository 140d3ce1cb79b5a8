# helpers: UNDEFINED, js_add, js_array, js_declare, js_get, js_global, js_item, js_require_object, js_reraise, js_setg, js_spread
try:
    js_declare(_dm, (), ("a", "c", "K"))
    _t1 = js_global(_dm, "src")
    js_require_object(_t1)
    (_t2 := js_get(_t1, "a"))
    js_setg(_dm, "a", _t2)
    (_t3 := js_get(_t1, "b"))
    (_t5 := (js_array(1.0) if (_t4 := _t3) is UNDEFINED else _t4))
    (_t6 := js_spread(_t5))
    (_t7 := js_item(_t6, 0))
    js_setg(_dm, "c", _t7)
    _dm["K"] = 3.0
    j_a = 10.0
    _dm["total"] = (
        _t8 + _t9
        if type((_t8 := j_a)) is type((_t9 := js_global(_dm, "K"))) is float
        else js_add(_t8, _t9)
    )
    (
        (_t10 := js_array(js_global(_dm, "y"), js_global(_dm, "x"))),
        (_t11 := js_spread(_t10)),
        (_t12 := js_item(_t11, 0)),
        js_setg(_dm, "x", _t12),
        (_t13 := js_item(_t11, 1)),
        js_setg(_dm, "y", _t13),
        _t10,
    )[-1]
except (RecursionError, NameError) as _t14:
    js_reraise(_t14)
