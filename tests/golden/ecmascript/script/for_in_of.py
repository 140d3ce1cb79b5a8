# helpers: js_array, js_declare, js_for_in, js_for_of, js_global, js_invoke, js_reraise, js_ticks
_ticks = js_ticks(_dm)
try:
    js_declare(_dm, ("keys", "vals", "k"))
    _dm["keys"] = js_array()
    _dm["vals"] = js_array()
    for _t1 in js_for_in(js_global(_dm, "obj")):
        next(_ticks)
        _dm["k"] = _t1
        js_invoke(js_global(_dm, "keys"), "push", js_global(_dm, "k"))
    for j_v in js_for_of(js_array(1.0, 2.0)):
        next(_ticks)
        js_invoke(js_global(_dm, "vals"), "push", j_v)
except (RecursionError, NameError) as _t5:
    js_reraise(_t5)
