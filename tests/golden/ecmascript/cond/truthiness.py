# helpers: UNDEFINED, js_truthy
not js_truthy(_dm["Var1"]) or ((_t1 := _dm["Var2"]) is None or _t1 is UNDEFINED) or _dm[
    "Var3"
] is UNDEFINED
