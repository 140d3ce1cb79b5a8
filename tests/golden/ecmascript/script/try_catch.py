# helpers: JSThrow, js_call, js_caught, js_getp, js_new
try:
    js_call(_dm["risky"], "risky")
except (JSThrow, RecursionError, NameError) as _t1:
    j_e = js_caught(_t1)
    _dm["log"] = (
        j_e["name"] if type(j_e) is dict and "name" in j_e else js_getp(j_e, "name")
    )
finally:
    _dm["done"] = True
raise JSThrow(js_new(_dm["Error"], "Error", "boom"))
