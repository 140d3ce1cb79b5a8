# helpers: HOLE, UNDEFINED, js_INF, js_NAN, js_array, js_global, js_key
js_array(
    1.0,
    "two",
    None,
    UNDEFINED,
    True,
    -0.0,
    js_NAN,
    js_INF,
    1e21,
    HOLE,
    {"a": 1.0, "b c": js_array(2.0), js_key(js_global(_dm, "k")): 3.0},
)
