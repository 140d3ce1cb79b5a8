# helpers: js_get, js_set
js_set(js_get(_dm["table"], _dm["key"]), 0.0, value)
