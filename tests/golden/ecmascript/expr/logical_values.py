# helpers: js_truthy
(
    _dm["d"]
    if js_truthy(_dm["a"]) or (js_truthy(_dm["b"]) and js_truthy(_dm["c"]))
    else _dm["e"]
)
