# helpers: js_get, js_global, js_set
js_set(js_get(js_global(_dm, "table"), js_global(_dm, "key")), 0.0, value)
