# helpers: js_readonly
js_readonly("_sessionid", value)
