# helpers: js_call, js_truthy
js_truthy(js_call(_dm["In"], "In", "s1")) and (
    not js_truthy(js_call(_dm["In"], "In", "s2"))
)
