# helpers: UNDEFINED, js_global, js_truthy
not js_truthy(js_global(_dm, "Var1")) or (
    (_t1 := js_global(_dm, "Var2")) is None or _t1 is UNDEFINED
) or js_global(_dm, "Var3") is UNDEFINED
