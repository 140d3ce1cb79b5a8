# helpers: JSFunction, JSThrow, UNDEFINED, js_caught, js_getp, js_global, js_new, js_not_callable
try:
    (
        _t1
        if type((_t1 := js_global(_dm, "risky"))) is JSFunction
        else js_not_callable(_t1, "risky")
    ).fn(UNDEFINED)
except (JSThrow, RecursionError, NameError) as _t2:
    j_e = js_caught(_t2)
    _dm["log"] = (
        j_e["name"] if type(j_e) is dict and "name" in j_e else js_getp(j_e, "name")
    )
finally:
    _dm["done"] = True
raise JSThrow(js_new(js_global(_dm, "Error"), "Error", "boom"))
