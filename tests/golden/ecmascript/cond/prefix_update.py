# helpers: js_inc, js_setg
js_setg(_dm, "var1", js_inc(_dm["var1"])) == 2.0
