# helpers: JSFunction, UNDEFINED, js_global, js_not_callable, js_truthy
js_truthy(
    (
        _t1
        if type((_t1 := js_global(_dm, "In"))) is JSFunction
        else js_not_callable(_t1, "In")
    ).fn(UNDEFINED, "s1")
) and (
    not js_truthy(
        (
            _t2
            if type((_t2 := js_global(_dm, "In"))) is JSFunction
            else js_not_callable(_t2, "In")
        ).fn(UNDEFINED, "s2")
    )
)
