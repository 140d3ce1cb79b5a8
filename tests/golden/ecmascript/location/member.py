# helpers: js_getp, js_global, js_setp
js_setp(
    (
        _t1["bar"]
        if type((_t1 := js_global(_dm, "foo"))) is dict and "bar" in _t1
        else js_getp(_t1, "bar")
    ),
    "baz",
    value,
)
