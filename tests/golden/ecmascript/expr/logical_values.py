# helpers: js_global, js_truthy
(
    js_global(_dm, "d")
    if js_truthy(js_global(_dm, "a"))
    or (js_truthy(js_global(_dm, "b")) and js_truthy(js_global(_dm, "c")))
    else js_global(_dm, "e")
)
